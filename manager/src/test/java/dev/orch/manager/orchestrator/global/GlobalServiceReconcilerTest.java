package dev.orch.manager.orchestrator.global;

import static dev.orch.manager.orchestrator.TestTasks.node;
import static dev.orch.manager.orchestrator.TestTasks.ready;
import static dev.orch.manager.orchestrator.TestTasks.service;
import static dev.orch.manager.orchestrator.TestTasks.task;
import static dev.orch.manager.orchestrator.TestTasks.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.orchestrator.TestTasks;
import dev.orch.proto.ActionType;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeState;
import dev.orch.proto.Placement;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The global orchestrator's decide step: one task per eligible node, none elsewhere. */
class GlobalServiceReconcilerTest {
  private final GlobalServiceReconciler reconciler = new GlobalServiceReconciler(null, TestTasks.factory());
  private final Service global = service(ServiceSpec.newBuilder().setMode(ServiceMode.MODE_GLOBAL)
      .setPlacement(Placement.newBuilder().addConstraints("node.labels.tier!=db")));

  private Task on(String nodeId, TaskState state, TaskState desired, long created) {
    return task(global, "t-" + nodeId + created, 0, state, desired, created).toBuilder()
        .setGlobalNodeId(nodeId).setNodeId(state.getNumber() >= TaskState.ASSIGNED_VALUE ? nodeId : "").build();
  }

  private List<StoreAction> decide(List<Task> tasks, Node... nodes) {
    return reconciler.decide(global, tasks, List.of(nodes)).actions();
  }

  @Test
  void startsOneTaskPerEligibleNodeHeldToItByAConstraint() {
    List<Task> created = tasks(decide(List.of(), ready("n1"), ready("n2"), ready("n3", "tier", "db"),
        node("n4", NodeState.NODE_DOWN, NodeAvailability.ACTIVE),
        node("n5", NodeState.NODE_READY, NodeAvailability.PAUSE)), ActionType.CREATE);
    assertEquals(List.of("n1", "n2"), created.stream().map(Task::getGlobalNodeId).toList());
    assertTrue(created.get(0).getSpec().getPlacement().getConstraintsList().contains("node.id==n1"));
    assertTrue(created.get(0).getNodeId().isEmpty(), "the scheduler assigns it like any task");
  }

  @Test
  void aConvergedServiceNeedsNothingAndANewNodeGetsATask() {
    List<Task> tasks = List.of(on("n1", TaskState.RUNNING, TaskState.RUNNING, 1));
    assertEquals(List.of(), decide(tasks, ready("n1")));
    assertEquals(List.of("n2"), tasks(decide(tasks, ready("n1"), ready("n2")), ActionType.CREATE).stream()
        .map(Task::getGlobalNodeId).toList());
  }

  @Test
  void aDrainedDownOrNoLongerMatchingNodeLosesItsTask() {
    List<Task> tasks = List.of(on("n1", TaskState.RUNNING, TaskState.RUNNING, 1),
        on("n2", TaskState.RUNNING, TaskState.RUNNING, 2), on("n3", TaskState.RUNNING, TaskState.RUNNING, 3),
        on("n4", TaskState.RUNNING, TaskState.RUNNING, 4));
    List<StoreAction> out = decide(tasks, node("n1", NodeState.NODE_READY, NodeAvailability.DRAIN),
        node("n2", NodeState.NODE_DOWN, NodeAvailability.ACTIVE), ready("n3", "tier", "db"),
        node("n4", NodeState.NODE_READY, NodeAvailability.PAUSE));
    assertEquals(List.of("n1", "n2", "n3"), tasks(out, ActionType.UPDATE).stream()
        .peek(t -> assertEquals(TaskState.SHUTDOWN, t.getDesiredState())).map(Task::getGlobalNodeId).toList());
    assertEquals(0, tasks(out, ActionType.CREATE).size(), "a paused node keeps its task; the others get none");
  }

  @Test
  void anEndedTaskIsLeftToTheRestartSupervisor() {
    assertEquals(List.of(), decide(List.of(on("n1", TaskState.FAILED, TaskState.RUNNING, 1)), ready("n1")));
  }

  @Test
  void aGlobalJobStartsANewRunWhenItsSpecChanges() {
    Service job = service(ServiceSpec.newBuilder().setMode(ServiceMode.MODE_GLOBAL_JOB));
    Task done = task(job, "done", 0, TaskState.COMPLETE, TaskState.RUNNING, 1).toBuilder().setGlobalNodeId("n1").build();
    assertEquals(List.of(), reconciler.decide(job, List.of(done), List.of(ready("n1"))).actions(), "the node's run is over");
    Service forced = job.toBuilder().setSpec(job.getSpec().toBuilder().setForceUpdate(1)).build();
    List<StoreAction> out = reconciler.decide(forced, List.of(done), List.of(ready("n1"))).actions();
    assertEquals(TaskState.SHUTDOWN, tasks(out, ActionType.UPDATE).get(0).getDesiredState());
    assertEquals(1, tasks(out, ActionType.CREATE).size());
  }
}
