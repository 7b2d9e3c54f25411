package dev.orch.ctl.swarm;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.proto.Cluster;
import dev.orch.proto.GetClusterRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code orchctl swarm inspect}: the cluster object (settings, root CA certificate, join tokens)
 * as a JSON array of one, like the other inspect commands.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show the cluster's settings, root CA certificate and join tokens, as JSON.")
final class SwarmInspectCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    SwarmInspectCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        format.requireJson();
        try (ManagerConnection connection = context.connect()) {
            Cluster cluster = connection.call(control ->
                    control.getCluster(GetClusterRequest.getDefaultInstance())).getCluster();
            JsonOutput.printArray(context.out(), List.of(withoutCaKey(cluster)));
            return ExitCodes.OK;
        }
    }

    /**
     * The manager never sends the CA's private key; dropping the field here as well makes sure
     * orchctl never prints one into a terminal or a log, whatever a manager sends.
     */
    static Cluster withoutCaKey(Cluster cluster) {
        if (!cluster.hasRootCa() || cluster.getRootCa().getKeyPem().isEmpty()) {
            return cluster;
        }
        return cluster.toBuilder().setRootCa(cluster.getRootCa().toBuilder().clearKeyPem()).build();
    }
}
