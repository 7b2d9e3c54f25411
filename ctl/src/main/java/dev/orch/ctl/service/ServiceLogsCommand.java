package dev.orch.ctl.service;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.parse.LogTimes;
import dev.orch.proto.LogLine;
import dev.orch.proto.LogsRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl service logs [-f] [--tail N] [--since T] [-t] SERVICE|TASK}: the containers'
 * output from every node, merged through the leader, each line prefixed as docker does: {@code
 * [TIME ]web.1.abcdef123456@node1 | line}; what the containers wrote to stderr goes to stderr.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Show the output of a service's tasks (or of one task), from all nodes.")
final class ServiceLogsCommand implements Callable<Integer> {
    /** A followed stream has no deadline of its own; a plain read gets this long. */
    private static final Duration READ_DEADLINE = Duration.ofMinutes(5);

    private final CtlContext context;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until interrupted.")
    boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N|all", description = "Only the last N lines of each task (default all).")
    String tail = "all";

    @Option(names = "--since", paramLabel = "TIME", description = "Only lines written at or after TIME: an RFC 3339"
            + " time (2026-11-25T10:00:00Z), a Unix timestamp (1700000000.5) or a duration back from now (10m).")
    String since;

    @Option(names = {"-t", "--timestamps"}, description = "Start each line with the time it was written (RFC 3339, UTC).")
    boolean timestamps;

    @Option(names = "--no-task-ids", description = "Name tasks without their id in the prefix.")
    boolean noTaskIds;

    @Parameters(index = "0", paramLabel = "SERVICE|TASK", description = "Service name, id or id prefix; or a task id or id prefix.")
    String target;

    ServiceLogsCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        LogsRequest.Builder request = LogsRequest.newBuilder().setFollow(follow);
        if (!tail.equals("all")) {
            try {
                int n = Integer.parseInt(tail.strip());
                if (n < 0) {
                    throw new NumberFormatException();
                }
                request.setTail(n);
            } catch (NumberFormatException e) {
                throw new UsageException("invalid --tail \"" + tail + "\": give a number of lines >= 0, or all");
            }
        }
        if (since != null) {
            request.setSinceUnixNanos(LogTimes.sinceUnixNanos(since, context.clock().withZone(ZoneId.systemDefault())));
        }
        try (ManagerConnection connection = context.connect()) {
            boolean isTask = connection.call(c -> {
                try {
                    c.getService(dev.orch.proto.GetServiceRequest.newBuilder().setService(target).build());
                    return false;
                } catch (io.grpc.StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                        return true;
                    }
                    throw e;
                }
            });
            LogsRequest req = isTask ? request.setTask(target).build() : request.setService(target).build();
            CompletableFuture<Void> ended = new CompletableFuture<>();
            AtomicBoolean nodeErrors = new AtomicBoolean();
            var stub = follow ? connection.interactiveStub() : connection.asyncStub(READ_DEADLINE);
            stub.logs(req, new StreamObserver<>() {
                @Override
                public void onNext(LogLine l) {
                    synchronized (context.out()) {
                        if (!l.getError().isEmpty()) {
                            nodeErrors.set(true);
                            context.err().println("warning: " + l.getError());
                            context.err().flush();
                            return;
                        }
                        PrintWriter to = l.getStream().equals("stderr") ? context.err() : context.out();
                        to.println(prefix(l) + " | " + l.getLine());
                        to.flush();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    ended.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    ended.complete(null);
                }
            });
            try {
                ended.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.OK;
            } catch (ExecutionException e) {
                throw connection.failure(e.getCause(), READ_DEADLINE);
            }
            return nodeErrors.get() ? ExitCodes.FAILURE : ExitCodes.OK;
        }
    }

    private String prefix(LogLine l) {
        String id = l.getTaskId().length() > 12 ? l.getTaskId().substring(0, 12) : l.getTaskId();
        String time = timestamps && l.getTimeUnixNanos() != 0 ? LogTimes.format(l.getTimeUnixNanos()) + " " : "";
        return time + l.getTaskName() + (noTaskIds ? "" : "." + id) + "@" + l.getNodeHostname();
    }
}
