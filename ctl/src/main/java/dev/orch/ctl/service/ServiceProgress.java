package dev.orch.ctl.service;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Follows a service until it reaches a goal, printing docker's progress lines: "overall
 * progress: 3 out of 5 tasks" whenever the count moves, the state of each slot at the end, and
 * "verify: Service converged" (or "verify: Job complete"). A paused update, a rollback that was
 * not asked for, or a job slot given up on ends the wait with an error saying so; the service
 * itself stays as the manager left it. Polls, like {@link ConvergenceWatcher}.
 */
final class ServiceProgress {
    /** What to wait for. */
    enum Goal {
        /** Every slot runs a task of the current spec (create of a global service, scale). */
        CONVERGE,
        /** The rolling update completes and every slot runs the new spec. */
        UPDATE,
        /** The rollback completes and every slot runs the previous spec again. */
        ROLLBACK,
        /** Every slot of the job completed. */
        JOB
    }

    /** One look at the service and its tasks. */
    interface Source {
        Service service();

        List<Task> tasks();
    }

    private final Source source;
    private final Clock clock;
    private final ConvergenceWatcher.Sleeper sleeper;
    private final PrintWriter out;

    ServiceProgress(Source source, Clock clock, ConvergenceWatcher.Sleeper sleeper, PrintWriter out) {
        this.source = source;
        this.clock = clock;
        this.sleeper = sleeper;
        this.out = out;
    }

    static ServiceProgress forService(ManagerConnection connection, Clock clock, String serviceId, PrintWriter out) {
        GetServiceRequest get = GetServiceRequest.newBuilder().setService(serviceId).build();
        ListTasksRequest list = ListTasksRequest.newBuilder().setService(serviceId).build();
        return new ServiceProgress(new Source() {
            @Override
            public Service service() {
                return connection.call(control -> control.getService(get)).getService();
            }

            @Override
            public List<Task> tasks() {
                return connection.call(control -> control.listTasks(list)).getTasksList();
            }
        }, clock, duration -> Thread.sleep(duration.toMillis()), out);
    }

    /** Waits for {@code goal}; throws {@link CommandFailedException} if it fails or times out. */
    void await(Goal goal, Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        String printed = null;
        String rollbackCause = null;
        while (true) {
            Service service = source.service();
            List<Task> tasks = source.tasks();
            UpdateState state = service.getUpdateStatus().getState();
            String name = service.getSpec().getName();
            if (goal == Goal.UPDATE && rollbackCause == null
                    && (state == UpdateState.ROLLBACK_STARTED || state == UpdateState.ROLLBACK_COMPLETED)) {
                rollbackCause = service.getUpdateStatus().getMessage();
                out.println("rollback: " + rollbackCause);
            }
            long desired = service.getStatus().getDesiredTasks();
            long done = goal == Goal.JOB ? service.getStatus().getCompletedTasks() : currentRunning(service, tasks);
            boolean rollingBack = goal == Goal.ROLLBACK || rollbackCause != null;
            String line = "overall progress: " + (rollingBack ? "rolling back update: " : "")
                    + Math.min(done, desired) + " out of " + desired + " tasks";
            if (!line.equals(printed)) {
                out.println(line);
                out.flush();
                printed = line;
            }
            failIfStuck(goal, service, tasks, rollbackCause);
            // A global service's first look may come before the manager made its tasks: 0 of 0 is not done.
            boolean global = service.getSpec().getMode() == dev.orch.proto.ServiceMode.MODE_GLOBAL;
            if (reached(goal, state, rollbackCause, done, desired) && !(global && desired == 0)) {
                printSlots(service, tasks);
                if (rollbackCause != null) {
                    out.flush();
                    throw new CommandFailedException("service " + name + " rolled back: " + rollbackCause);
                }
                out.println(goal == Goal.JOB ? "verify: Job complete" : "verify: Service converged");
                out.flush();
                return;
            }
            if (!clock.instant().isBefore(deadline)) {
                out.flush();
                throw new CommandFailedException("service " + name + " did not " + (goal == Goal.JOB ? "complete"
                        : "converge") + " within " + timeout.toSeconds() + " s (" + Math.min(done, desired) + " of "
                        + desired + " tasks" + (goal == Goal.JOB ? " completed" : " running the current spec")
                        + "); the manager keeps going: see orchctl service ps " + name
                        + ", or set ORCH_WAIT_TIMEOUT to wait longer");
            }
            sleep();
        }
    }

    private static boolean reached(Goal goal, UpdateState state, String rollbackCause, long done, long desired) {
        if (done < desired) {
            return false;
        }
        return switch (goal) {
            case CONVERGE, JOB -> true;
            case UPDATE -> rollbackCause != null ? state == UpdateState.ROLLBACK_COMPLETED : state == UpdateState.COMPLETED;
            case ROLLBACK -> state == UpdateState.ROLLBACK_COMPLETED;
        };
    }

    private void failIfStuck(Goal goal, Service service, List<Task> tasks, String rollbackCause) {
        UpdateState state = service.getUpdateStatus().getState();
        String message = service.getUpdateStatus().getMessage();
        String name = service.getSpec().getName();
        if (goal == Goal.UPDATE && state == UpdateState.PAUSED) {
            out.flush();
            throw new CommandFailedException("update of service " + name + " " + message
                    + "; see orchctl service ps " + name + ", then update it again to resume or roll it back");
        }
        if ((goal == Goal.ROLLBACK || rollbackCause != null) && state == UpdateState.ROLLBACK_PAUSED) {
            out.flush();
            throw new CommandFailedException("service " + name + ": " + message + "; see orchctl service ps " + name);
        }
        if (goal == Goal.JOB) {
            tasks.stream().filter(t -> t.getRestarts().getGivenUp() && t.getStatus().getState() != TaskState.COMPLETE
                    && t.getDesiredState() == TaskState.RUNNING).findFirst().ifPresent(t -> {
                        out.flush();
                        throw new CommandFailedException("job " + name + " cannot complete: task " + t.getMeta().getId()
                                + " failed (" + t.getStatus().getErr() + ") and " + t.getStatus().getMessage());
                    });
        }
    }

    /** Slots whose newest wanted task runs the service's current spec. */
    static long currentRunning(Service service, List<Task> tasks) {
        return newestWanted(tasks).values().stream()
                .filter(t -> t.getStatus().getState() == TaskState.RUNNING && runsCurrentSpec(t, service)).count();
    }

    /** Whether {@code task} was made from the service's current spec (placement aside, as the updater sees it). */
    static boolean runsCurrentSpec(Task task, Service service) {
        var spec = service.getSpec();
        return task.getSpec().getContainer().equals(spec.getContainer())
                && task.getSpec().getImageDigest().equals(service.getImageDigest())
                && task.getSpec().getLimits().equals(spec.getLimits())
                && task.getSpec().getReservations().equals(spec.getReservations())
                && task.getSpec().getForceUpdate() == spec.getForceUpdate();
    }

    private static Map<String, Task> newestWanted(List<Task> tasks) {
        Map<String, Task> bySlot = new TreeMap<>(Comparator.comparing(ServiceProgress::slotOrder));
        for (Task t : tasks) {
            if (t.getDesiredState() != TaskState.RUNNING) {
                continue;
            }
            bySlot.merge(slot(t), t, (a, b) -> a.getMeta().getCreatedAtMs() >= b.getMeta().getCreatedAtMs() ? a : b);
        }
        return bySlot;
    }

    private static String slot(Task t) {
        return t.getGlobalNodeId().isEmpty() ? Long.toString(t.getSlot()) : t.getGlobalNodeId();
    }

    private static String slotOrder(String slot) {
        return slot.chars().allMatch(Character::isDigit) ? String.format("%020d", Long.parseLong(slot)) : "~" + slot;
    }

    /** docker's per-slot lines: "1/3: running", "node-1: running". */
    private void printSlots(Service service, List<Task> tasks) {
        Map<String, Task> slots = newestWanted(tasks);
        long desired = service.getStatus().getDesiredTasks();
        for (Map.Entry<String, Task> e : slots.entrySet()) {
            String slot = e.getKey();
            String label = slot.chars().allMatch(Character::isDigit) ? slot + "/" + desired : shortId(slot);
            if (slot.chars().allMatch(Character::isDigit) && Long.parseLong(slot) > desired) {
                continue;
            }
            out.println(label + ": " + e.getValue().getStatus().getState().name().toLowerCase(Locale.ROOT));
        }
    }

    private static String shortId(String id) {
        return id.length() <= 12 ? id : id.substring(0, 12);
    }

    private void sleep() {
        try {
            sleeper.sleep(ConvergenceWatcher.POLL_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted while waiting for the service; it goes on: see orchctl service ps");
        }
    }
}
