package dev.orch.ctl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.ctl.CommandFailedException;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.ServiceStatus;
import dev.orch.proto.Task;
import dev.orch.proto.TaskSpec;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import dev.orch.proto.UpdateState;
import dev.orch.proto.UpdateStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Following an update: progress lines, success, pause and an unasked-for rollback. */
class ServiceProgressTest {
    private static final ContainerSpec V1 = ContainerSpec.newBuilder().setImage("busybox").addCommand("v1").build();
    private static final ContainerSpec V2 = ContainerSpec.newBuilder().setImage("busybox").addCommand("v2").build();

    private final StringWriter printed = new StringWriter();

    private static Service service(ContainerSpec container, UpdateState state, String message) {
        return Service.newBuilder().setMeta(Meta.newBuilder().setId("s1"))
                .setSpec(ServiceSpec.newBuilder().setName("web").setReplicas(2).setContainer(container))
                .setStatus(ServiceStatus.newBuilder().setDesiredTasks(2))
                .setUpdateStatus(UpdateStatus.newBuilder().setState(state).setMessage(message)).build();
    }

    private static Task task(long slot, ContainerSpec container, long created) {
        return Task.newBuilder().setMeta(Meta.newBuilder().setId("t" + slot + created).setCreatedAtMs(created))
                .setSlot(slot).setDesiredState(TaskState.RUNNING).setSpec(TaskSpec.newBuilder().setContainer(container))
                .setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING)).build();
    }

    /** Answers one scripted look per poll, the last one for ever. */
    private ServiceProgress following(List<Service> services, List<List<Task>> tasks) {
        Deque<Service> s = new ArrayDeque<>(services);
        Deque<List<Task>> t = new ArrayDeque<>(tasks);
        ServiceProgress.Source source = new ServiceProgress.Source() {
            @Override
            public Service service() {
                return s.size() > 1 ? s.poll() : s.peek();
            }

            @Override
            public List<Task> tasks() {
                return t.size() > 1 ? t.poll() : t.peek();
            }
        };
        Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        return new ServiceProgress(source, clock, d -> { }, new PrintWriter(printed, true));
    }

    @Test
    void printsProgressAndTheSlotsOnceTheUpdateCompletes() {
        ServiceProgress p = following(
                List.of(service(V2, UpdateState.UPDATING, ""), service(V2, UpdateState.UPDATING, ""),
                        service(V2, UpdateState.COMPLETED, "update completed")),
                List.of(List.of(task(1, V1, 1), task(2, V1, 1)), List.of(task(1, V2, 2), task(2, V1, 1)),
                        List.of(task(1, V2, 2), task(2, V2, 3))));
        p.await(ServiceProgress.Goal.UPDATE, Duration.ofSeconds(60));
        assertEquals("overall progress: 0 out of 2 tasks\noverall progress: 1 out of 2 tasks\n"
                + "overall progress: 2 out of 2 tasks\n1/2: running\n2/2: running\nverify: Service converged\n",
                printed.toString());
    }

    @Test
    void aPausedUpdateEndsTheWaitWithTheReason() {
        ServiceProgress p = following(List.of(service(V2, UpdateState.PAUSED,
                "update paused due to failure or early termination of task t9")), List.of(List.of(task(1, V1, 1))));
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> p.await(ServiceProgress.Goal.UPDATE, Duration.ofSeconds(60)));
        assertEquals("update of service web update paused due to failure or early termination of task t9; see"
                + " orchctl service ps web, then update it again to resume or roll it back", e.getMessage());
    }

    @Test
    void anAutomaticRollbackIsReportedAndFailsTheCommand() {
        String why = "update rolled back due to failure or early termination of task t9";
        ServiceProgress p = following(List.of(service(V1, UpdateState.ROLLBACK_STARTED, why),
                        service(V1, UpdateState.ROLLBACK_COMPLETED, "rollback completed")),
                List.of(List.of(task(1, V1, 1), task(2, V1, 1))));
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> p.await(ServiceProgress.Goal.UPDATE, Duration.ofSeconds(60)));
        assertEquals("service web rolled back: " + why, e.getMessage());
        assertEquals("rollback: " + why + "\noverall progress: rolling back update: 2 out of 2 tasks\n"
                + "1/2: running\n2/2: running\n", printed.toString());
    }
}
