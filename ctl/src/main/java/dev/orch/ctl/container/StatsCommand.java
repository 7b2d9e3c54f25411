package dev.orch.ctl.container;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.connect.RpcFailedException;
import dev.orch.ctl.output.DisplayNames;
import dev.orch.ctl.output.HumanSize;
import dev.orch.ctl.output.Table;
import dev.orch.proto.StatsRequest;
import dev.orch.proto.StatsResponse;
import dev.orch.proto.TaskStats;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl stats [SERVICE|TASK]}: CPU, memory and pids of running tasks, read from their
 * cgroups on their nodes, like {@code docker stats}. CPU % is the CPU time used between two
 * samples over the time between them (100 % = one CPU), so the first table comes after one
 * interval; then a table every interval until interrupted, or just one with {@code --no-stream}.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show CPU, memory and pids of running tasks (all, a service's, or one task).")
public final class StatsCommand implements Callable<Integer> {
    private static final long INTERVAL_MS = 1000;

    private final CtlContext context;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE|TASK",
            description = "Service id, id prefix or name, or a task id or id prefix; default every running task.")
    String target = "";

    @Option(names = "--no-stream", description = "Print one table and exit instead of one per second.")
    boolean noStream;

    StatsCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (ManagerConnection connection = context.connect()) {
            StatsRequest request = resolve(connection);
            Map<String, TaskStats> previous = index(connection.call(c -> c.stats(request)));
            while (true) {
                Thread.sleep(INTERVAL_MS); // the sampling interval of the CPU percentage
                StatsResponse now = connection.call(c -> c.stats(request));
                print(now, previous);
                if (noStream) {
                    return 0;
                }
                previous = index(now);
            }
        }
    }

    /** A service if one has this name, id or prefix, else a task. */
    private StatsRequest resolve(ManagerConnection connection) {
        if (target.isEmpty()) {
            return StatsRequest.getDefaultInstance();
        }
        StatsRequest asService = StatsRequest.newBuilder().setService(target).build();
        try {
            connection.call(c -> c.stats(asService));
            return asService;
        } catch (RpcFailedException e) {
            if (e.code() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
        StatsRequest asTask = StatsRequest.newBuilder().setTask(target).build();
        try {
            connection.call(c -> c.stats(asTask));
        } catch (RpcFailedException e) {
            if (e.code() == Status.Code.NOT_FOUND) {
                throw new CommandFailedException("no service or task \"" + target
                        + "\"; see orchctl service ls and orchctl service ps SERVICE");
            }
            throw e;
        }
        return asTask;
    }

    private static Map<String, TaskStats> index(StatsResponse r) {
        Map<String, TaskStats> byId = new HashMap<>();
        r.getStatsList().forEach(s -> byId.put(s.getTaskId(), s));
        return byId;
    }

    private void print(StatsResponse now, Map<String, TaskStats> previous) {
        Table table = new Table("TASK ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS");
        for (TaskStats s : now.getStatsList()) {
            String id = DisplayNames.shortId(s.getTaskId());
            if (!s.getError().isEmpty()) {
                table.row(id, s.getTaskName(), "--", "--", "--", "-- (" + s.getError() + ")");
                continue;
            }
            long limit = s.getMemoryLimitBytes();
            table.row(id, s.getTaskName(), cpuPercent(previous.get(s.getTaskId()), s),
                    HumanSize.of(s.getMemoryBytes()) + " / " + (limit > 0 ? HumanSize.of(limit) : "unlimited"),
                    limit > 0 ? percent(100.0 * s.getMemoryBytes() / limit) : "--",
                    Long.toString(s.getPids()));
        }
        table.print(context.out());
    }

    /** CPU time between two samples over wall time between them; "--" without a usable earlier sample. */
    static String cpuPercent(TaskStats before, TaskStats after) {
        if (before == null || !before.getError().isEmpty() || after.getReadTimeMs() <= before.getReadTimeMs()
                || after.getCpuNanos() < before.getCpuNanos()) {
            return "--";
        }
        double wallNanos = (after.getReadTimeMs() - before.getReadTimeMs()) * 1_000_000.0;
        return percent(100.0 * (after.getCpuNanos() - before.getCpuNanos()) / wallNanos);
    }

    private static String percent(double value) {
        return String.format(Locale.ROOT, "%.2f%%", value);
    }
}
