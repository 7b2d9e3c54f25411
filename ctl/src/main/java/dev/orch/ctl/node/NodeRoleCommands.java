package dev.orch.ctl.node;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code orchctl node promote|demote NODE...}: change a node's role, like docker's. */
final class NodeRoleCommands {
    private NodeRoleCommands() {}

    static int change(CtlContext context, List<String> nodes, NodeRole role) {
        try (ManagerConnection connection = context.connect()) {
            for (String n : nodes) {
                Node updated = NodeUpdateCommand.update(connection, n,
                        spec -> spec.toBuilder().setRole(role).build());
                context.out().println("Node " + updated.getMeta().getId() + (role == NodeRole.MANAGER
                        ? " promoted to a manager in the swarm." : " demoted in the swarm."));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Make workers managers: they join the managers' Raft group.")
    static final class Promote implements Callable<Integer> {
        private final CtlContext context;

        @Parameters(arity = "1..*", paramLabel = "NODE", description = "Node id, id prefix or hostname.")
        List<String> nodes;

        Promote(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            return change(context, nodes, NodeRole.MANAGER);
        }
    }

    @Command(name = "demote", mixinStandardHelpOptions = true,
            description = "Make managers workers (refused if the managers would lose their quorum).")
    static final class Demote implements Callable<Integer> {
        private final CtlContext context;

        @Parameters(arity = "1..*", paramLabel = "NODE", description = "Node id, id prefix or hostname.")
        List<String> nodes;

        Demote(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            return change(context, nodes, NodeRole.WORKER);
        }
    }
}
