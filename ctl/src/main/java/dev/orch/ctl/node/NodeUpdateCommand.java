package dev.orch.ctl.node;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.connect.RpcFailedException;
import dev.orch.ctl.parse.LabelChanges;
import dev.orch.ctl.parse.NodeAvailabilities;
import dev.orch.proto.GetNodeRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.UpdateNodeRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl node update [--availability A] [--label-add K=V]... [--label-rm K]... NODE}. Like
 * service scale, a read-modify-write of the spec carrying the version read, retried once on a
 * version conflict (the manager itself writes nodes, e.g. when they register).
 */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = "Change a node's availability or labels.")
final class NodeUpdateCommand implements Callable<Integer> {
    private final CtlContext context;

    @Option(names = "--availability", paramLabel = "AVAILABILITY",
            description = "active, pause (no new tasks) or drain (move its tasks away).")
    String availability;

    @Option(names = "--label-add", paramLabel = "KEY=VALUE",
            description = "Add or change a node label (for node.labels.KEY constraints).")
    List<String> labelAdd = new ArrayList<>();

    @Option(names = "--label-rm", paramLabel = "KEY", description = "Remove a node label.")
    List<String> labelRemove = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "NODE", description = "Node id, id prefix or hostname.")
    String node;

    NodeUpdateCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        NodeAvailability newAvailability = availability == null
                ? null : NodeAvailabilities.parse("--availability", availability);
        LabelChanges labels = LabelChanges.parse(labelAdd, labelRemove);
        if (newAvailability == null && labels.isEmpty()) {
            throw new UsageException("\"orchctl node update\" needs a change: --availability, "
                    + "--label-add or --label-rm (see 'orchctl node update --help')");
        }
        try (ManagerConnection connection = context.connect()) {
            Node updated = update(connection, node, spec -> changed(spec, newAvailability, labels,
                    "node " + node));
            context.out().println(updated.getMeta().getId());
            return ExitCodes.OK;
        }
    }

    static NodeSpec changed(NodeSpec spec, NodeAvailability availability, LabelChanges labels,
            String owner) {
        NodeSpec.Builder builder = spec.toBuilder();
        if (availability != null) {
            builder.setAvailability(availability);
        }
        return builder.clearLabels().putAllLabels(labels.applyTo(spec.getLabelsMap(), owner))
                .build();
    }

    static Node update(ManagerConnection connection, String node,
            UnaryOperator<NodeSpec> change) {
        try {
            return updateOnce(connection, node, change);
        } catch (RpcFailedException e) {
            if (!e.isVersionConflict()) {
                throw e;
            }
            return updateOnce(connection, node, change);
        }
    }

    private static Node updateOnce(ManagerConnection connection, String node,
            UnaryOperator<NodeSpec> change) {
        Node current = connection.call(control -> control.getNode(
                GetNodeRequest.newBuilder().setNode(node).build())).getNode();
        UpdateNodeRequest update = UpdateNodeRequest.newBuilder()
                .setNode(current.getMeta().getId())
                .setVersion(current.getMeta().getVersion())
                .setSpec(change.apply(current.getSpec()))
                .build();
        return connection.call(control -> control.updateNode(update)).getNode();
    }
}
