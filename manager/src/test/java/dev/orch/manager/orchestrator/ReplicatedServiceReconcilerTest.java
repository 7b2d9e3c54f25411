package dev.orch.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orch.manager.Ids;
import dev.orch.proto.ActionType;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Calls {@code converge} directly against fixed state and counts what it decided. */
class ReplicatedServiceReconcilerTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final ReplicatedServiceReconciler reconciler =
      new ReplicatedServiceReconciler(null, new TaskFactory(new Ids(new Random(7)), clock));
  private int created;

  private static Service service(long replicas) {
    return Service.newBuilder()
        .setMeta(Meta.newBuilder().setId("svc").setVersion(3))
        .setSpec(ServiceSpec.newBuilder().setName("web").setReplicas(replicas)
            .setContainer(ContainerSpec.newBuilder().setImage("busybox")))
        .setImageDigest("sha256:abc")
        .build();
  }

  private Task task(long slot, TaskState state, TaskState desired) {
    return Task.newBuilder()
        .setMeta(Meta.newBuilder().setId("t" + (++created)).setVersion(5).setCreatedAtMs(created))
        .setServiceId("svc").setSlot(slot).setNodeId(state.getNumber() >= 2 ? "n1" : "")
        .setDesiredState(desired)
        .setStatus(TaskStatus.newBuilder().setState(state))
        .build();
  }

  private static List<StoreAction> of(List<StoreAction> all, ActionType type) {
    return all.stream().filter(a -> a.getType() == type).toList();
  }

  @Test
  void createsOneTaskPerMissingSlot() {
    List<StoreAction> out = reconciler.converge(service(3), List.of(task(2, TaskState.RUNNING, TaskState.RUNNING)));
    List<StoreAction> creates = of(out, ActionType.CREATE);
    assertEquals(2, creates.size());
    assertEquals(List.of(1L, 3L), creates.stream().map(a -> a.getObject().getTask().getSlot()).toList());
    creates.forEach(a -> {
      Task t = a.getObject().getTask();
      assertEquals(TaskState.NEW, t.getStatus().getState());
      assertEquals(TaskState.RUNNING, t.getDesiredState());
      assertEquals("sha256:abc", t.getSpec().getImageDigest());
    });
  }

  @Test
  void convergedServiceNeedsNothing() {
    List<Task> tasks = List.of(task(1, TaskState.RUNNING, TaskState.RUNNING), task(2, TaskState.ASSIGNED, TaskState.RUNNING));
    assertEquals(List.of(), reconciler.converge(service(2), tasks));
  }

  @Test
  void leavesAnEndedTaskToTheRestartSupervisor() {
    List<StoreAction> out = reconciler.converge(service(1), List.of(task(1, TaskState.FAILED, TaskState.RUNNING)));
    assertEquals(List.of(), out, "the restart policy decides when (and whether) the slot gets a new task");
  }

  @Test
  void refillsASlotOnlyOnceItsStoppingTaskHasStopped() {
    Task stopping = task(1, TaskState.RUNNING, TaskState.SHUTDOWN);
    assertEquals(List.of(), reconciler.converge(service(1), List.of(stopping)), "stop-first: wait for the old task");
    Task stopped = stopping.toBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.SHUTDOWN)).build();
    assertEquals(1, of(reconciler.converge(service(1), List.of(stopped)), ActionType.CREATE).size());
  }

  @Test
  void startFirstKeepsTheOldTaskRunningUntilTheNewOneRuns() {
    Task old = task(1, TaskState.RUNNING, TaskState.RUNNING);
    Task starting = task(1, TaskState.STARTING, TaskState.RUNNING);
    assertEquals(List.of(), reconciler.converge(service(1), List.of(old, starting)));
    Task running = starting.toBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.RUNNING)).build();
    List<StoreAction> out = reconciler.converge(service(1), List.of(old, running));
    assertEquals(List.of(old.getMeta().getId()), of(out, ActionType.UPDATE).stream()
        .map(a -> a.getObject().getTask()).peek(t -> assertEquals(TaskState.SHUTDOWN, t.getDesiredState()))
        .map(t -> t.getMeta().getId()).toList());
  }

  @Test
  void replacesATaskOnAnUnavailableNodeAtOnce() {
    Task onDownNode = task(1, TaskState.RUNNING, TaskState.RUNNING);
    List<StoreAction> out = reconciler.converge(service(1), List.of(onDownNode), java.util.Set.of("n1"));
    assertEquals(1, of(out, ActionType.CREATE).size());
    assertEquals(TaskState.SHUTDOWN, of(out, ActionType.UPDATE).get(0).getObject().getTask().getDesiredState());
  }

  @Test
  void scaleDownShutsDownTheHighestSlots() {
    List<Task> tasks = new ArrayList<>();
    for (long s = 1; s <= 5; s++) {
      tasks.add(task(s, TaskState.RUNNING, TaskState.RUNNING));
    }
    List<StoreAction> out = reconciler.converge(service(2), tasks);
    assertEquals(List.of(3L, 4L, 5L), of(out, ActionType.UPDATE).stream()
        .map(a -> a.getObject().getTask()).peek(t -> assertEquals(TaskState.SHUTDOWN, t.getDesiredState()))
        .map(Task::getSlot).toList());
    assertEquals(0, of(out, ActionType.CREATE).size());
  }

  @Test
  void unassignedTasksAreDeletedRatherThanShutDown() {
    List<StoreAction> out = reconciler.converge(service(0), List.of(task(1, TaskState.PENDING, TaskState.RUNNING)));
    assertEquals(1, of(out, ActionType.DELETE).size());
  }
}
