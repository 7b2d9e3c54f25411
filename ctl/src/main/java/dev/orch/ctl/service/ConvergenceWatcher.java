package dev.orch.ctl.service;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Waits until a service's replicas are all running, by polling its tasks: the Control API has no
 * watch, and a poll every 100 ms is cheap for the manager and quick enough for a person.
 */
final class ConvergenceWatcher {
    static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    /** Sleeping is injected so that tests run without waiting. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Where the wait ended: how many slots run, and the newest task error seen, if any. */
    record Progress(long running, long desired, boolean converged, String lastError) {
    }

    private final Supplier<List<Task>> tasks;
    private final Clock clock;
    private final Sleeper sleeper;

    ConvergenceWatcher(Supplier<List<Task>> tasks, Clock clock, Sleeper sleeper) {
        this.tasks = tasks;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    static ConvergenceWatcher forService(ManagerConnection connection, Clock clock, String serviceId) {
        ListTasksRequest request = ListTasksRequest.newBuilder().setService(serviceId).build();
        return new ConvergenceWatcher(
                () -> connection.call(control -> control.listTasks(request)).getTasksList(),
                clock, duration -> Thread.sleep(duration.toMillis()));
    }

    /** Polls until {@code desired} slots have a running task or {@code timeout} has passed. */
    Progress await(long desired, Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            Progress progress = measure(tasks.get(), desired);
            if (progress.converged() || !clock.instant().isBefore(deadline)) {
                return progress;
            }
            try {
                sleeper.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailedException("interrupted while waiting for the service; "
                        + "it was created, see orchctl service ps");
            }
        }
    }

    /** Counts slots whose task should run and does; more tasks than slots never count extra. */
    static Progress measure(List<Task> tasks, long desired) {
        long running = tasks.stream()
                .filter(t -> t.getDesiredState() == TaskState.RUNNING
                        && t.getStatus().getState() == TaskState.RUNNING)
                .mapToLong(Task::getSlot).distinct().count();
        running = Math.min(running, desired);
        String lastError = tasks.stream()
                .filter(t -> !t.getStatus().getErr().isEmpty())
                .max(Comparator.comparingLong(t -> t.getStatus().getTimestampMs()))
                .map(t -> t.getStatus().getErr()).orElse("");
        return new Progress(running, desired, running == desired, lastError);
    }

    /**
     * Prints docker's summary ("overall progress: 5 out of 5 tasks", "verify: Service converged"),
     * or fails with what is missing and where to look; the service itself stays created.
     */
    static void report(PrintWriter out, String service, Progress progress, Duration timeout) {
        out.println("overall progress: " + progress.running() + " out of " + progress.desired()
                + " tasks");
        if (!progress.converged()) {
            out.flush();
            String error = progress.lastError().isEmpty()
                    ? "" : "; last task error: \"" + progress.lastError() + "\"";
            throw new CommandFailedException("service " + service + " did not converge within "
                    + timeout.toSeconds() + " s (" + progress.running() + " of "
                    + progress.desired() + " tasks running" + error + "); the manager keeps "
                    + "trying: see orchctl service ps " + service
                    + ", or set ORCH_WAIT_TIMEOUT to wait longer");
        }
        out.println("verify: Service converged");
        out.flush();
    }
}
