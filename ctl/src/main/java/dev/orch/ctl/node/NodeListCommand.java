package dev.orch.ctl.node;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.DisplayNames;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.output.Table;
import dev.orch.proto.ListNodesRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeState;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code orchctl node ls}: docker's node table. */
@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
        description = "List the nodes of the cluster.")
final class NodeListCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    NodeListCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean json = format.json();
        try (ManagerConnection connection = context.connect()) {
            List<Node> nodes = dev.orch.ctl.connect.Listing.nodes(connection).stream()
                    .sorted(Comparator.comparing((Node n) -> n.getDescription().getHostname())
                            .thenComparing(n -> n.getMeta().getId()))
                    .toList();
            if (json) {
                JsonOutput.printArray(context.out(), nodes);
            } else {
                table(nodes).print(context.out());
            }
            return ExitCodes.OK;
        }
    }

    static Table table(List<Node> nodes) {
        Table table = new Table("ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS");
        for (Node node : nodes) {
            table.row(node.getMeta().getId(), node.getDescription().getHostname(),
                    DisplayNames.of(node.getStatus().getState()),
                    DisplayNames.of(node.getSpec().getAvailability()), managerStatus(node));
        }
        return table;
    }

    /** Blank for workers, as in docker; the manager fills in who leads and who is reachable. */
    static String managerStatus(Node node) {
        if (node.getSpec().getRole() != NodeRole.MANAGER) {
            return "";
        }
        if (node.getManagerStatus().getLeader()) {
            return "Leader";
        }
        return node.getManagerStatus().getReachable() ? "Reachable" : "Unreachable";
    }
}
