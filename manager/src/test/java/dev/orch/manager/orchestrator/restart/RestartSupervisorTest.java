package dev.orch.manager.orchestrator.restart;

import static dev.orch.manager.orchestrator.TestTasks.ended;
import static dev.orch.manager.orchestrator.TestTasks.service;
import static dev.orch.manager.orchestrator.TestTasks.task;
import static dev.orch.manager.orchestrator.TestTasks.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.orchestrator.Decision;
import dev.orch.manager.orchestrator.TestTasks;
import dev.orch.manager.orchestrator.Wakeups;
import dev.orch.proto.ActionType;
import dev.orch.proto.RestartCondition;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.SlotRestarts;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The restart supervisor's decide step against fixed tasks and times. */
class RestartSupervisorTest {
  private final RestartSupervisor supervisor =
      new RestartSupervisor(null, TestTasks.factory(), TestTasks.CLOCK, Wakeups.NONE);

  private static Service withPolicy(RestartPolicy.Builder policy) {
    return service(ServiceSpec.newBuilder().setReplicas(1).setRestart(policy));
  }

  private Decision decide(Service s, long now, Task... tasks) {
    return supervisor.decide(s, List.of(tasks), Set.of(), now);
  }

  @Test
  void waitsForTheDelayThenReplacesTheTaskInItsSlot() {
    Service s = withPolicy(RestartPolicy.newBuilder().setDelayMs(5_000));
    Task failed = ended(s, "t1", 1, TaskState.FAILED, 100_000);
    Decision early = decide(s, 103_000, failed);
    assertEquals(List.of(), early.actions());
    assertEquals(105_000, early.wakeAtMs(), "woken when the delay is over");

    Decision due = decide(s, 105_000, failed);
    Task replacement = tasks(due.actions(), ActionType.CREATE).get(0);
    assertEquals(1, replacement.getSlot());
    assertEquals(TaskState.RUNNING, replacement.getDesiredState());
    assertEquals(List.of(105_000L), replacement.getRestarts().getRestartedAtMsList());
    Task old = tasks(due.actions(), ActionType.UPDATE).get(0);
    assertEquals(TaskState.SHUTDOWN, old.getDesiredState());
    assertEquals(5, old.getMeta().getVersion(), "the update carries the version it read");
  }

  @Test
  void theDefaultDelayIsFiveSecondsAndAnExplicitZeroRestartsAtOnce() {
    Service byDefault = service(ServiceSpec.newBuilder().setReplicas(1));
    assertEquals(105_000, decide(byDefault, 100_000, ended(byDefault, "t1", 1, TaskState.FAILED, 100_000)).wakeAtMs());
    Service now = withPolicy(RestartPolicy.newBuilder().setDelayMs(0));
    assertEquals(1, tasks(decide(now, 100_000, ended(now, "t1", 1, TaskState.FAILED, 100_000)).actions(),
        ActionType.CREATE).size());
  }

  @Test
  void onFailureStopsAfterMaxAttemptsWithinTheWindowAndSaysWhy() {
    Service s = withPolicy(RestartPolicy.newBuilder().setCondition(RestartCondition.RESTART_ON_FAILURE)
        .setDelayMs(0).setMaxAttempts(3).setWindowMs(60_000));
    Task third = ended(s, "t4", 1, TaskState.FAILED, 100_000).toBuilder()
        .setRestarts(SlotRestarts.newBuilder().addRestartedAtMs(90_000).addRestartedAtMs(95_000)
            .addRestartedAtMs(99_000)).build();
    Decision d = decide(s, 100_000, third);
    assertEquals(0, tasks(d.actions(), ActionType.CREATE).size());
    Task marked = tasks(d.actions(), ActionType.UPDATE).get(0);
    assertTrue(marked.getRestarts().getGivenUp());
    assertEquals(TaskState.RUNNING, marked.getDesiredState(), "the slot keeps its ended task");
    assertEquals("not restarted: the restart policy allows 3 attempts within 1m0s and all were used",
        marked.getStatus().getMessage());
    assertEquals("task: non-zero exit (1)", marked.getStatus().getErr(), "the task's own error stays");
    assertEquals(List.of(), decide(s, 500_000, marked).actions(), "given up for good, even after the window");
  }

  @Test
  void restartsOutsideTheWindowNoLongerCount() {
    Service s = withPolicy(RestartPolicy.newBuilder().setDelayMs(0).setMaxAttempts(2).setWindowMs(10_000));
    Task t = ended(s, "t3", 1, TaskState.FAILED, 100_000).toBuilder()
        .setRestarts(SlotRestarts.newBuilder().addRestartedAtMs(50_000).addRestartedAtMs(95_000)).build();
    Task replacement = tasks(decide(s, 100_000, t).actions(), ActionType.CREATE).get(0);
    assertEquals(List.of(95_000L, 100_000L), replacement.getRestarts().getRestartedAtMsList());
  }

  @Test
  void noneNeverRestartsAndOnFailureLeavesACompletedTask() {
    Service none = withPolicy(RestartPolicy.newBuilder().setCondition(RestartCondition.RESTART_NONE));
    Decision d = decide(none, 200_000, ended(none, "t1", 1, TaskState.FAILED, 100_000));
    assertEquals(0, tasks(d.actions(), ActionType.CREATE).size());
    assertEquals("not restarted: the restart condition is none",
        tasks(d.actions(), ActionType.UPDATE).get(0).getStatus().getMessage());

    Service onFailure = withPolicy(RestartPolicy.newBuilder().setCondition(RestartCondition.RESTART_ON_FAILURE));
    Decision c = decide(onFailure, 200_000, ended(onFailure, "t1", 1, TaskState.COMPLETE, 100_000));
    assertEquals(0, tasks(c.actions(), ActionType.CREATE).size());
    assertTrue(tasks(c.actions(), ActionType.UPDATE).get(0).getRestarts().getGivenUp());
  }

  @Test
  void anyRestartsACompletedTaskButAJobNever() {
    Service any = withPolicy(RestartPolicy.newBuilder().setCondition(RestartCondition.RESTART_ANY).setDelayMs(0));
    assertEquals(1, tasks(decide(any, 100_000, ended(any, "t1", 1, TaskState.COMPLETE, 100_000)).actions(),
        ActionType.CREATE).size());
    Service job = service(ServiceSpec.newBuilder().setMode(ServiceMode.MODE_REPLICATED_JOB).setReplicas(1)
        .setRestart(RestartPolicy.newBuilder().setDelayMs(0)));
    assertEquals(List.of(), decide(job, 100_000, ended(job, "t1", 1, TaskState.COMPLETE, 100_000)).actions());
    assertEquals(1, tasks(decide(job, 100_000, ended(job, "t1", 1, TaskState.FAILED, 100_000)).actions(),
        ActionType.CREATE).size(), "a failed job task is restarted (on-failure by default)");
  }

  @Test
  void leavesSlotsWithALiveTaskAndSlotsAboveTheReplicas() {
    Service s = withPolicy(RestartPolicy.newBuilder().setDelayMs(0));
    Task live = task(s, "t2", 1, TaskState.RUNNING, TaskState.RUNNING, 50_000);
    assertEquals(List.of(), decide(s, 100_000, ended(s, "t1", 1, TaskState.FAILED, 40_000), live).actions());
    assertEquals(List.of(), decide(s, 100_000, ended(s, "t9", 2, TaskState.FAILED, 40_000)).actions(),
        "slot 2 of a one-replica service is the orchestrator's to remove");
  }

  @Test
  void aGlobalTaskIsRestartedOnlyWhereTheServiceMayStillRun() {
    Service s = service(ServiceSpec.newBuilder().setMode(ServiceMode.MODE_GLOBAL)
        .setRestart(RestartPolicy.newBuilder().setDelayMs(0)));
    Task onN1 = ended(s, "t1", 0, TaskState.FAILED, 100_000).toBuilder().setGlobalNodeId("n1").build();
    assertEquals(List.of(), supervisor.decide(s, List.of(onN1), Set.of(), 100_000).actions());
    Task replacement = tasks(supervisor.decide(s, List.of(onN1), Set.of("n1"), 100_000).actions(),
        ActionType.CREATE).get(0);
    assertEquals("n1", replacement.getGlobalNodeId());
    assertTrue(replacement.getSpec().getPlacement().getConstraintsList().contains("node.id==n1"));
  }
}
