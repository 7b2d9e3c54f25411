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

    private final CtlContext context;

    @Option(names = HEARTBEAT_OPTION, paramLabel = "DURATION",
            description = "How often nodes report to the managers (e.g. 5s, 500ms, 1m).")
    String dispatcherHeartbeat;

    SwarmUpdateCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (dispatcherHeartbeat == null) {
            throw new UsageException("\"orchctl swarm update\" needs a setting to change: "
                    + HEARTBEAT_OPTION + " (see 'orchctl swarm update --help')");
        }
        long heartbeatMs = GoDuration.positiveMillis(HEARTBEAT_OPTION, dispatcherHeartbeat);
        try (ManagerConnection connection = context.connect()) {
            connection.call(control -> control.updateCluster(UpdateClusterRequest.newBuilder()
                    .setDispatcherHeartbeatMs(heartbeatMs).build()));
            context.out().println("Swarm updated.");
            return ExitCodes.OK;
        }
    }
}
