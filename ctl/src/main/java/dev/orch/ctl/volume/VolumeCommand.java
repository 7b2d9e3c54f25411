package dev.orch.ctl.volume;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CommandGroup;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.HumanSize;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.output.Table;
import dev.orch.proto.VolumeInfo;
import dev.orch.proto.VolumeOp;
import dev.orch.proto.VolumeResponse;
import dev.orch.proto.VolumesRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Groups the volume subcommands. Volumes are per node: each answer names its node. */
@Command(name = "volume", mixinStandardHelpOptions = true,
        description = "Manage the named volumes on the nodes (created by --mount type=volume).",
        subcommands = {VolumeCommand.Ls.class, VolumeCommand.Inspect.class, VolumeCommand.Remove.class,
            VolumeCommand.Prune.class})
public final class VolumeCommand extends CommandGroup {

    static VolumeResponse call(CtlContext context, VolumesRequest request) {
        try (ManagerConnection connection = context.connect()) {
            VolumeResponse r = connection.call(c -> c.volumes(request));
            r.getErrorsList().forEach(e -> context.err().println("warning: " + e));
            return r;
        }
    }

    static Table table(java.util.List<VolumeInfo> volumes) {
        Table t = new Table("NODE", "VOLUME NAME", "SIZE", "IN USE BY");
        for (VolumeInfo v : volumes) {
            t.row(v.getNodeHostname(), v.getName(), HumanSize.of(v.getSizeBytes()),
                    v.getUsedByTasksCount() == 0 ? "-" : String.join(",", v.getUsedByTasksList()));
        }
        return t;
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
            description = "List the volumes of every ready node, or of one.")
    static final class Ls implements Callable<Integer> {
        private final CtlContext context;

        @Option(names = "--node", paramLabel = "NODE", description = "Only this node (id, id prefix or hostname).")
        String node = "";

        @Option(names = {"-q", "--quiet"}, description = "Only the names.")
        boolean quiet;

        @Mixin
        FormatOption format;

        Ls(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            boolean json = format.json();
            VolumeResponse r = VolumeCommand.call(context,
                    VolumesRequest.newBuilder().setOp(VolumeOp.VOLUME_LIST).setNode(node).build());
            if (json) {
                JsonOutput.printArray(context.out(), r.getVolumesList());
            } else if (quiet) {
                r.getVolumesList().forEach(v -> context.out().println(v.getName()));
            } else {
                table(r.getVolumesList()).print(context.out());
            }
            return r.getErrorsCount() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show volumes as JSON (name, node, mountpoint, creation time, size, tasks using it).")
    static final class Inspect implements Callable<Integer> {
        private final CtlContext context;

        @Option(names = "--node", paramLabel = "NODE", description = "Only this node.")
        String node = "";

        @Mixin
        FormatOption format;

        @Parameters(arity = "1..*", paramLabel = "VOLUME")
        java.util.List<String> names;

        Inspect(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            format.requireJson();
            VolumeResponse r = VolumeCommand.call(context,
                    VolumesRequest.newBuilder().setOp(VolumeOp.VOLUME_LIST).setNode(node).build());
            java.util.List<VolumeInfo> found = new ArrayList<>();
            int exit = PerTarget.run(context.err(), names, name -> {
                java.util.List<VolumeInfo> match = r.getVolumesList().stream().filter(v -> v.getName().equals(name)).toList();
                if (match.isEmpty()) {
                    throw new CommandFailedException("no volume " + name + (node.isEmpty() ? " on any ready node" : " on node " + node));
                }
                found.addAll(match);
            });
            JsonOutput.printArray(context.out(), found);
            return exit;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = "Remove volumes and their data; refused while a container mounts them.")
    static final class Remove implements Callable<Integer> {
        private final CtlContext context;

        @Option(names = "--node", paramLabel = "NODE",
                description = "The node the volume is on (needed when several nodes have a volume of that name).")
        String node = "";

        @Parameters(arity = "1..*", paramLabel = "VOLUME")
        java.util.List<String> names;

        Remove(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            return PerTarget.run(context.err(), names, name -> {
                VolumeCommand.call(context, VolumesRequest.newBuilder().setOp(VolumeOp.VOLUME_REMOVE)
                        .setName(name).setNode(node).build());
                context.out().println(name);
            });
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove every volume no container mounts, on every ready node or one.")
    static final class Prune implements Callable<Integer> {
        private final CtlContext context;

        @Option(names = "--node", paramLabel = "NODE", description = "Only this node.")
        String node = "";

        @Option(names = {"-f", "--force"}, description = "Do it (volume data is deleted for good).")
        boolean force;

        Prune(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (!force) {
                throw new UsageException("volume prune deletes the data of every unused volume"
                        + (node.isEmpty() ? " on every node" : " on node " + node) + ": add --force to do it");
            }
            VolumeResponse r = VolumeCommand.call(context,
                    VolumesRequest.newBuilder().setOp(VolumeOp.VOLUME_PRUNE).setNode(node).build());
            long reclaimed = 0;
            for (VolumeInfo v : r.getVolumesList()) {
                context.out().println("Deleted " + v.getName() + " on " + v.getNodeHostname());
                reclaimed += v.getSizeBytes();
            }
            context.out().println("Total reclaimed space: " + HumanSize.of(reclaimed));
            return r.getErrorsCount() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
