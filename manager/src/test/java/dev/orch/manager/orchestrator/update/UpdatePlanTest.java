package dev.orch.manager.orchestrator.update;

import static dev.orch.manager.orchestrator.TestTasks.service;
import static dev.orch.manager.orchestrator.TestTasks.task;
import static dev.orch.manager.orchestrator.TestTasks.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.orchestrator.Decision;
import dev.orch.manager.orchestrator.Slots;
import dev.orch.manager.orchestrator.TestTasks;
import dev.orch.proto.ActionType;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateConfig;
import dev.orch.proto.UpdateFailureAction;
import dev.orch.proto.UpdateOrder;
import dev.orch.proto.UpdateState;
import dev.orch.proto.UpdateStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** One step of a rolling update, decided against fixed tasks and times. */
class UpdatePlanTest {
  private static final long START = 1_000_000;
  private final UpdatePlan plan = new UpdatePlan(TestTasks.factory());

  /** Version 1 runs sleep; version 2 (being rolled out) runs a different command. */
  private static Service v1(long replicas) {
    return service(ServiceSpec.newBuilder().setReplicas(replicas));
  }

  private static Service v2(long replicas, UpdateConfig.Builder update) {
    Service old = v1(replicas);
    Service next = service(ServiceSpec.newBuilder().setReplicas(replicas).setUpdate(update)
        .setContainer(ContainerSpec.newBuilder().setImage("busybox").addCommand("sleep").addCommand("2d")));
    return next.toBuilder().setPreviousSpec(old.getSpec()).setPreviousImageDigest(old.getImageDigest())
        .setUpdateStatus(UpdateStatus.newBuilder().setState(UpdateState.UPDATING).setStartedAtMs(START)).build();
  }

  private static List<Task> running(Service s, long replicas) {
    List<Task> out = new ArrayList<>();
    for (long slot = 1; slot <= replicas; slot++) {
      out.add(task(s, "old" + slot, slot, TaskState.RUNNING, TaskState.RUNNING, slot));
    }
    return out;
  }

  private static List<String> slots(long n) {
    return LongStream.rangeClosed(1, n).mapToObj(Slots::numbered).toList();
  }

  @Test
  void stopFirstStopsParallelismOldTasksLowestSlotsFirst() {
    Service s = v2(4, UpdateConfig.newBuilder().setParallelism(2));
    Decision d = plan.decide(s, running(v1(4), 4), slots(4), START);
    List<Task> stopped = tasks(d.actions(), ActionType.UPDATE);
    assertEquals(List.of(1L, 2L), stopped.stream().map(Task::getSlot).toList());
    stopped.forEach(t -> assertEquals(TaskState.SHUTDOWN, t.getDesiredState()));
    assertEquals(0, tasks(d.actions(), ActionType.CREATE).size(), "the orchestrator refills a slot once it is empty");
  }

  @Test
  void slotsInFlightCountAgainstParallelism() {
    Service s = v2(4, UpdateConfig.newBuilder().setParallelism(2));
    List<Task> tasks = new ArrayList<>(running(v1(4), 4));
    tasks.set(0, tasks.get(0).toBuilder().setDesiredState(TaskState.SHUTDOWN).build()); // slot 1 stopping
    tasks.add(task(s, "new2", 2, TaskState.STARTING, TaskState.RUNNING, START + 10));
    tasks.set(1, tasks.get(1).toBuilder().setDesiredState(TaskState.SHUTDOWN).setStatus(
        tasks.get(1).getStatus().toBuilder().setState(TaskState.SHUTDOWN)).build());
    assertEquals(List.of(), plan.decide(s, tasks, slots(4), START + 20).actions());

    Service wider = v2(4, UpdateConfig.newBuilder().setParallelism(3));
    assertEquals(List.of(3L), tasks(plan.decide(wider, tasks, slots(4), START + 20).actions(), ActionType.UPDATE)
        .stream().map(Task::getSlot).toList());
  }

  @Test
  void parallelismZeroUpdatesEverySlotAtOnce() {
    Service s = v2(5, UpdateConfig.newBuilder().setParallelism(0));
    assertEquals(5, tasks(plan.decide(s, running(v1(5), 5), slots(5), START).actions(), ActionType.UPDATE).size());
  }

  @Test
  void startFirstCreatesTheReplacementBesideTheRunningTask() {
    Service s = v2(2, UpdateConfig.newBuilder().setParallelism(1).setOrder(UpdateOrder.ORDER_START_FIRST));
    Decision d = plan.decide(s, running(v1(2), 2), slots(2), START);
    assertEquals(0, tasks(d.actions(), ActionType.UPDATE).size());
    Task created = tasks(d.actions(), ActionType.CREATE).get(0);
    assertEquals(1, created.getSlot());
    assertTrue(dev.orch.manager.orchestrator.TaskSpecs.current(created, s));
  }

  @Test
  void theDelayRunsFromTheLatestReplacementReachingRunning() {
    Service s = v2(2, UpdateConfig.newBuilder().setParallelism(1).setDelayMs(10_000));
    List<Task> tasks = new ArrayList<>(running(v1(2), 2));
    tasks.set(0, task(s, "new1", 1, TaskState.RUNNING, TaskState.RUNNING, START + 5).toBuilder()
        .setStatus(dev.orch.proto.TaskStatus.newBuilder().setState(TaskState.RUNNING).setTimestampMs(START + 2_000))
        .build());
    Decision waiting = plan.decide(s, tasks, slots(2), START + 3_000);
    assertEquals(List.of(), waiting.actions());
    assertEquals(START + 12_000, waiting.wakeAtMs());
    assertEquals(List.of(2L), tasks(plan.decide(s, tasks, slots(2), START + 12_000).actions(), ActionType.UPDATE)
        .stream().map(Task::getSlot).toList());
  }

  @Test
  void completesOnceTheLastReplacementHasRunForTheMonitorPeriod() {
    Service s = v2(1, UpdateConfig.newBuilder().setMonitorMs(5_000));
    Task done = task(s, "new1", 1, TaskState.RUNNING, TaskState.RUNNING, START + 5).toBuilder()
        .setStatus(dev.orch.proto.TaskStatus.newBuilder().setState(TaskState.RUNNING).setTimestampMs(START + 1_000))
        .build();
    Decision monitoring = plan.decide(s, List.of(done), slots(1), START + 2_000);
    assertEquals(List.of(), monitoring.actions());
    assertEquals(START + 6_000, monitoring.wakeAtMs());
    Service completed = plan.decide(s, List.of(done), slots(1), START + 6_000).actions().get(0).getObject().getService();
    assertEquals(UpdateState.COMPLETED, completed.getUpdateStatus().getState());
    assertEquals(START + 6_000, completed.getUpdateStatus().getCompletedAtMs());
    assertEquals(3, completed.getMeta().getVersion(), "the status write carries the version read");
  }

  @Test
  void aHealthCheckedReplacementCountsOnceHealthy() {
    Service s = v2(2, UpdateConfig.newBuilder().setParallelism(1));
    List<Task> tasks = new ArrayList<>(running(v1(2), 2));
    Task starting = task(s, "new1", 1, TaskState.RUNNING, TaskState.RUNNING, START + 5).toBuilder()
        .setStatus(dev.orch.proto.TaskStatus.newBuilder().setState(TaskState.RUNNING).setTimestampMs(START + 1_000)
            .setHealth(dev.orch.proto.TaskHealth.HEALTH_STARTING))
        .build();
    tasks.set(0, starting);
    assertEquals(List.of(), plan.decide(s, tasks, slots(2), START + 60_000).actions(),
        "slot 2 waits while the new task's health check has not passed");
    tasks.set(0, starting.toBuilder().setStatus(starting.getStatus().toBuilder()
        .setHealth(dev.orch.proto.TaskHealth.HEALTH_HEALTHY).setTimestampMs(START + 2_000)).build());
    assertEquals(List.of(2L), tasks(plan.decide(s, tasks, slots(2), START + 60_000).actions(), ActionType.UPDATE)
        .stream().map(Task::getSlot).toList());
  }

  private static Task failedReplacement(Service s) {
    return task(s, "new1", 1, TaskState.FAILED, TaskState.RUNNING, START + 5);
  }

  @Test
  void aFailureWithFailureActionRollbackSwapsBackToThePreviousSpec() {
    Service s = v2(2, UpdateConfig.newBuilder().setFailureAction(UpdateFailureAction.FAILURE_ACTION_ROLLBACK));
    List<Task> tasks = List.of(failedReplacement(s), running(v1(2), 2).get(1));
    Service rolled = plan.decide(s, tasks, slots(2), START + 100).actions().get(0).getObject().getService();
    assertEquals(UpdateState.ROLLBACK_STARTED, rolled.getUpdateStatus().getState());
    assertEquals(v1(2).getSpec(), rolled.getSpec());
    assertEquals(s.getSpec(), rolled.getPreviousSpec(), "a second rollback returns to the failed spec");
    assertEquals("update rolled back due to failure or early termination of task new1",
        rolled.getUpdateStatus().getMessage());
  }

  @Test
  void aFailureWithTheDefaultActionPauses() {
    Service s = v2(2, UpdateConfig.newBuilder());
    Service paused = plan.decide(s, List.of(failedReplacement(s), running(v1(2), 2).get(1)), slots(2), START + 100)
        .actions().get(0).getObject().getService();
    assertEquals(UpdateState.PAUSED, paused.getUpdateStatus().getState());
    assertEquals("update paused due to failure or early termination of task new1", paused.getUpdateStatus().getMessage());
  }

  @Test
  void failuresWithinTheRatioAreTolerated() {
    Service s = v2(4, UpdateConfig.newBuilder().setParallelism(1).setMaxFailureRatio(0.5f));
    List<Task> tasks = new ArrayList<>(running(v1(4), 4));
    tasks.set(0, failedReplacement(s));
    List<Task> next = tasks(plan.decide(s, tasks, slots(4), START + 100).actions(), ActionType.UPDATE);
    assertEquals(List.of(2L), next.stream().map(Task::getSlot).toList(), "1 of 4 failed: the update goes on");
  }

  @Test
  void aRollbackThatFailsPauses() {
    Service s = v2(1, UpdateConfig.newBuilder().setFailureAction(UpdateFailureAction.FAILURE_ACTION_ROLLBACK));
    s = s.toBuilder().setUpdateStatus(s.getUpdateStatus().toBuilder().setState(UpdateState.ROLLBACK_STARTED)).build();
    Service paused = plan.decide(s, List.of(failedReplacement(s)), slots(1), START + 100)
        .actions().get(0).getObject().getService();
    assertEquals(UpdateState.ROLLBACK_PAUSED, paused.getUpdateStatus().getState());
  }

  @Test
  void aPausedOrCompletedServiceIsLeftAlone() {
    Service s = v2(2, UpdateConfig.newBuilder());
    Service paused = s.toBuilder().setUpdateStatus(s.getUpdateStatus().toBuilder().setState(UpdateState.PAUSED)).build();
    assertEquals(Decision.NOTHING, plan.decide(paused, running(v1(2), 2), slots(2), START));
  }
}
