package dev.orch.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import org.junit.jupiter.api.Test;

/** Which task changes are sent down a node's assignment stream. */
class AgentNeedsTest {
  private static Task task(TaskState state, TaskState desired) {
    return Task.newBuilder().setNodeId("n1").setDesiredState(desired)
        .setStatus(TaskStatus.newBuilder().setState(state)).build();
  }

  @Test
  void newAssignmentsAndStopRequestsAreSent() {
    assertTrue(DispatcherService.agentNeeds(task(TaskState.ASSIGNED, TaskState.RUNNING)));
    assertTrue(DispatcherService.agentNeeds(task(TaskState.RUNNING, TaskState.SHUTDOWN)));
    assertTrue(DispatcherService.agentNeeds(task(TaskState.SHUTDOWN, TaskState.REMOVE)));
    assertTrue(DispatcherService.agentNeeds(task(TaskState.ACCEPTED, TaskState.SHUTDOWN)));
  }

  @Test
  void theNodesOwnProgressReportsAreNotEchoed() {
    for (TaskState s : new TaskState[] {TaskState.ACCEPTED, TaskState.PREPARING, TaskState.STARTING,
        TaskState.RUNNING, TaskState.FAILED, TaskState.COMPLETE}) {
      assertFalse(DispatcherService.agentNeeds(task(s, TaskState.RUNNING)), s.name());
    }
  }
}
