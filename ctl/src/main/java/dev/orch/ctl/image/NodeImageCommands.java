package dev.orch.ctl.image;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.HumanSize;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.output.Table;
import dev.orch.proto.NodeImageInfo;
import dev.orch.proto.NodeImageOp;
import dev.orch.proto.NodeImageResponse;
import dev.orch.proto.NodeImagesRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The copies of images the nodes pulled for their tasks: {@code image ls --node/--nodes}, {@code
 * image rm} and {@code image prune}. Each answer names its node; the cluster's image catalog is
 * not changed.
 */
final class NodeImageCommands {
    private NodeImageCommands() {
    }

    static NodeImageResponse ask(CtlContext context, NodeImagesRequest request) {
        try (ManagerConnection connection = context.connect()) {
            return connection.call(c -> c.nodeImages(request));
        }
    }

    /** {@code image ls --node N} / {@code --nodes}: one row per image and node. */
    static int list(CtlContext context, String node, boolean json) {
        NodeImageResponse r = ask(context, NodeImagesRequest.newBuilder().setOp(NodeImageOp.NODE_IMAGE_LIST)
                .setNode(node).build());
        r.getErrorsList().forEach(e -> context.err().println("warning: " + e));
        if (json) {
            JsonOutput.printArray(context.out(), r.getImagesList());
        } else {
            Table t = new Table("NODE", "REFERENCE", "DIGEST", "SIZE", "IN USE BY");
            for (NodeImageInfo i : r.getImagesList()) {
                String hex = i.getDigest().substring(i.getDigest().indexOf(':') + 1);
                t.row(i.getNodeHostname(), i.getReferencesCount() == 0 ? ImageReference.NONE
                        : String.join(",", i.getReferencesList()), "sha256:" + hex.substring(0, Math.min(12, hex.length())),
                        HumanSize.of(i.getSizeBytes()),
                        i.getUsedByTasksCount() == 0 ? "-" : String.join(",", i.getUsedByTasksList()));
            }
            t.print(context.out());
        }
        return r.getErrorsCount() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = "Remove images from the nodes (every ready node that has them, or one); refused on a node"
                    + " where a task uses the image. The cluster's image catalog is not changed.")
    static final class Remove implements Callable<Integer> {
        private final CtlContext context;

        @Option(names = "--node", paramLabel = "NODE", description = "Only this node (id, id prefix or hostname).")
        String node = "";

        @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "A name, the digest or a digest prefix.")
        List<String> references;

        Remove(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            return PerTarget.run(context.err(), references, ref -> {
                NodeImageResponse r = ask(context, NodeImagesRequest.newBuilder().setOp(NodeImageOp.NODE_IMAGE_REMOVE)
                        .setReference(ref).setNode(node).build());
                for (NodeImageInfo i : r.getImagesList()) {
                    context.out().println("Deleted " + i.getDigest() + " on " + i.getNodeHostname());
                }
                if (r.getErrorsCount() > 0) {
                    throw new CommandFailedException(String.join("; ", r.getErrorsList()));
                }
            });
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove every image no task on the node uses (and layers no image has), on every ready node"
                    + " or one.")
    static final class Prune implements Callable<Integer> {
        private final CtlContext context;

        @Option(names = "--node", paramLabel = "NODE", description = "Only this node.")
        String node = "";

        @Option(names = {"-f", "--force"}, description = "Do it (the nodes pull the images again when a task needs them).")
        boolean force;

        Prune(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (!force) {
                throw new UsageException("image prune removes every image no task uses"
                        + (node.isEmpty() ? " on every node" : " on node " + node) + ": add --force to do it");
            }
            NodeImageResponse r = ask(context, NodeImagesRequest.newBuilder().setOp(NodeImageOp.NODE_IMAGE_PRUNE)
                    .setNode(node).build());
            r.getErrorsList().forEach(e -> context.err().println("warning: " + e));
            for (NodeImageInfo i : r.getImagesList()) {
                context.out().println("Deleted " + i.getDigest() + " on " + i.getNodeHostname());
            }
            context.out().println("Total reclaimed space: " + HumanSize.of(r.getReclaimedBytes()));
            return r.getErrorsCount() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
