package dev.orch.manager.orchestrator.constraint;

import static dev.orch.manager.orchestrator.TestTasks.ready;
import static dev.orch.manager.orchestrator.TestTasks.service;
import static dev.orch.manager.orchestrator.TestTasks.task;
import static dev.orch.manager.orchestrator.TestTasks.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orch.proto.ActionType;
import dev.orch.proto.Placement;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The constraint enforcer's decide step. */
class ConstraintEnforcerTest {
  private final Service eu = service(ServiceSpec.newBuilder().setReplicas(2)
      .setPlacement(Placement.newBuilder().addConstraints("node.labels.zone==eu")));

  @Test
  void stopsLiveTasksOnNodesThatNoLongerMatch() {
    Task onN1 = task(eu, "a", 1, TaskState.RUNNING, TaskState.RUNNING, 1);
    Task ended = task(eu, "b", 2, TaskState.FAILED, TaskState.RUNNING, 1);
    var out = ConstraintEnforcer.decide(eu, List.of(onN1, ended), Map.of("n1", ready("n1", "zone", "us"))).actions();
    assertEquals(List.of("a"), tasks(out, ActionType.UPDATE).stream()
        .peek(t -> assertEquals(TaskState.SHUTDOWN, t.getDesiredState())).map(t -> t.getMeta().getId()).toList());
    assertEquals(List.of(), ConstraintEnforcer.decide(eu, List.of(onN1), Map.of("n1", ready("n1", "zone", "eu")))
        .actions());
  }
}
