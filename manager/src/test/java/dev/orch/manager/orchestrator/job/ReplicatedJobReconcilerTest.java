package dev.orch.manager.orchestrator.job;

import static dev.orch.manager.orchestrator.TestTasks.ended;
import static dev.orch.manager.orchestrator.TestTasks.service;
import static dev.orch.manager.orchestrator.TestTasks.task;
import static dev.orch.manager.orchestrator.TestTasks.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orch.manager.orchestrator.TestTasks;
import dev.orch.proto.ActionType;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.SlotRestarts;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The replicated-job orchestrator's decide step: completions, at most max-concurrent at once. */
class ReplicatedJobReconcilerTest {
  private final ReplicatedJobReconciler reconciler = new ReplicatedJobReconciler(null, TestTasks.factory());
  private final Service job = service(ServiceSpec.newBuilder().setMode(ServiceMode.MODE_REPLICATED_JOB)
      .setReplicas(6).setMaxConcurrent(2));

  private List<Long> started(List<Task> tasks) {
    return tasks(reconciler.decide(job, tasks, Set.of()).actions(), ActionType.CREATE).stream()
        .map(Task::getSlot).toList();
  }

  @Test
  void startsTheLowestSlotsUpToMaxConcurrent() {
    assertEquals(List.of(1L, 2L), started(List.of()));
  }

  @Test
  void aCompletedSlotIsDoneAndFreesItsPlace() {
    List<Task> tasks = new ArrayList<>();
    tasks.add(task(job, "a", 1, TaskState.COMPLETE, TaskState.RUNNING, 1));
    tasks.add(task(job, "b", 2, TaskState.RUNNING, TaskState.RUNNING, 2));
    assertEquals(List.of(3L), started(tasks));
    for (long slot = 3; slot <= 6; slot++) {
      tasks.add(task(job, "c" + slot, slot, TaskState.COMPLETE, TaskState.RUNNING, slot));
    }
    tasks.set(1, task(job, "b", 2, TaskState.COMPLETE, TaskState.RUNNING, 2));
    assertEquals(List.of(), reconciler.decide(job, tasks, Set.of()).actions(), "6 of 6 completed");
  }

  @Test
  void aFailedTaskAwaitingItsRestartHoldsItsPlace() {
    List<Task> tasks = List.of(ended(job, "a", 1, TaskState.FAILED, 10_000),
        task(job, "b", 2, TaskState.RUNNING, TaskState.RUNNING, 2));
    assertEquals(List.of(), started(tasks));
    Task givenUp = tasks.get(0).toBuilder().setRestarts(SlotRestarts.newBuilder().setGivenUp(true)).build();
    assertEquals(List.of(3L), started(List.of(givenUp, tasks.get(1))), "a slot given up on no longer runs");
  }

  @Test
  void maxConcurrentDefaultsToAllCompletions() {
    Service all = service(ServiceSpec.newBuilder().setMode(ServiceMode.MODE_REPLICATED_JOB).setReplicas(3));
    assertEquals(3, tasks(reconciler.decide(all, List.of(), Set.of()).actions(), ActionType.CREATE).size());
  }
}
