package dev.orch.ctl.network;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.output.Table;
import dev.orch.proto.ListNetworksRequest;
import dev.orch.proto.Network;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code orchctl network ls}: docker's network table, with the subnet each network got. */
@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List the networks.")
final class NetworkListCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    NetworkListCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (ManagerConnection connection = context.connect()) {
            List<Network> networks = connection.call(control ->
                    control.listNetworks(ListNetworksRequest.getDefaultInstance())).getNetworksList();
            if (format.json()) {
                JsonOutput.printArray(context.out(), networks);
            } else {
                table(networks).print(context.out());
            }
            return ExitCodes.OK;
        }
    }

    static Table table(List<Network> networks) {
        Table table = new Table("ID", "NAME", "DRIVER", "SUBNET", "SCOPE");
        for (Network n : networks) {
            String subnet = n.getAllocated().getSubnet().isEmpty() ? "(allocating)" : n.getAllocated().getSubnet();
            table.row(n.getMeta().getId(), n.getSpec().getName(), n.getSpec().getDriver(), subnet,
                    n.getSpec().getDriver().equals("bridge") ? "local" : "swarm");
        }
        return table;
    }
}
