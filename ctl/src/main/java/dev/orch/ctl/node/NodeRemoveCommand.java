package dev.orch.ctl.node;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.RemoveNodeRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl node rm [-f] NODE...}: prints each name as it is removed, like docker. The manager
 * refuses to remove a node that is still up unless forced; its message says so.
 */
@Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
        description = "Remove one or more nodes from the cluster.")
final class NodeRemoveCommand implements Callable<Integer> {
    private final CtlContext context;

    @Option(names = {"-f", "--force"},
            description = "Remove the node even if it is still up (its certificate stops working).")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "NODE", description = "Node id, id prefix or hostname.")
    List<String> nodes;

    NodeRemoveCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (ManagerConnection connection = context.connect()) {
            return PerTarget.run(context.err(), nodes, name -> {
                connection.call(control -> control.removeNode(
                        RemoveNodeRequest.newBuilder().setNode(name).setForce(force).build()));
                context.out().println(name);
                context.out().flush();
            });
        }
    }
}
