package dev.orch.ctl.network;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.proto.GetNetworkRequest;
import dev.orch.proto.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code orchctl network inspect NETWORK...}: the networks as a JSON array, like docker's. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show networks in detail, as JSON.")
final class NetworkInspectCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    @Parameters(arity = "1..*", paramLabel = "NETWORK", description = "Network id, id prefix or name.")
    List<String> networks;

    NetworkInspectCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        format.requireJson();
        try (ManagerConnection connection = context.connect()) {
            List<Network> found = new ArrayList<>();
            int exitCode = PerTarget.run(context.err(), networks, name -> found.add(
                    connection.call(control -> control.getNetwork(GetNetworkRequest.newBuilder()
                            .setNetwork(name).build())).getNetwork()));
            JsonOutput.printArray(context.out(), found);
            return exitCode;
        }
    }
}
