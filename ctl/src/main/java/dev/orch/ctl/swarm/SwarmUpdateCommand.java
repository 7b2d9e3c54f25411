package dev.orch.ctl.swarm;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.parse.GoDuration;
import dev.orch.proto.UpdateClusterRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code orchctl swarm update --dispatcher-heartbeat DURATION}. Only the given settings change, so
 * the request carries version 0 (the current one) and cannot conflict with another writer.
 */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = "Change cluster settings.")
final class SwarmUpdateCommand implements Callable<Integer> {
    static final String HEARTBEAT_OPTION = "--dispatcher-heartbeat";
    static final String HISTORY_OPTION = "--task-history-limit";

    private final CtlContext context;

    @Option(names = HEARTBEAT_OPTION, paramLabel = "DURATION",
            description = "How often nodes report to the managers (e.g. 5s, 500ms, 1m).")
    String dispatcherHeartbeat;

    @Option(names = HISTORY_OPTION, paramLabel = "K",
            description = "Finished tasks kept per slot as history (default 5).")
    String taskHistoryLimit;

    SwarmUpdateCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (dispatcherHeartbeat == null && taskHistoryLimit == null) {
            throw new UsageException("\"orchctl swarm update\" needs a setting to change: "
                    + HEARTBEAT_OPTION + " or " + HISTORY_OPTION + " (see 'orchctl swarm update --help')");
        }
        UpdateClusterRequest.Builder request = UpdateClusterRequest.newBuilder();
        if (dispatcherHeartbeat != null) {
            request.setDispatcherHeartbeatMs(GoDuration.positiveMillis(HEARTBEAT_OPTION, dispatcherHeartbeat));
        }
        if (taskHistoryLimit != null) {
            request.setTaskHistoryLimit(dev.orch.ctl.parse.ReplicaCount.parse(HISTORY_OPTION, taskHistoryLimit));
        }
        try (ManagerConnection connection = context.connect()) {
            connection.call(control -> control.updateCluster(request.build()));
            context.out().println("Swarm updated.");
            return ExitCodes.OK;
        }
    }
}
