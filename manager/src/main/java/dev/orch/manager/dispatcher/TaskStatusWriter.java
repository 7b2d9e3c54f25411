package dev.orch.manager.dispatcher;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskStatusUpdate;
import dev.orch.proto.TransactionResult;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes a node's batch of task status reports in one transaction. A report may only move a task
 * forward and only for a task assigned to the reporting node; a version conflict (the orchestrator
 * changed the task meanwhile) re-reads and retries.
 */
final class TaskStatusWriter {
  private static final int ATTEMPTS = 8;

  private final StoreWriter writer;

  TaskStatusWriter(StoreWriter writer) {
    this.writer = writer;
  }

  void write(String nodeId, List<TaskStatusUpdate> updates) {
    String lastError = "";
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      List<StoreAction> actions = writer.store().read(v -> {
        List<StoreAction> out = new ArrayList<>();
        for (TaskStatusUpdate u : updates) {
          Optional<Task> current = v.task(u.getTaskId());
          if (current.isEmpty() || !current.get().getNodeId().equals(nodeId)) {
            continue; // deleted meanwhile, or not this node's: ignore rather than fail the batch
          }
          Task t = current.get();
          if (u.getStatus().getStateValue() < t.getStatus().getStateValue()
              || u.getStatus().getStateValue() == t.getStatus().getStateValue() && !healthChanged(t, u)) {
            continue; // observed state only moves forward; a running task's health may change
          }
          out.add(Actions.update(t.toBuilder().setStatus(u.getStatus()).build()));
        }
        return out;
      });
      if (actions.isEmpty()) {
        return;
      }
      TransactionResult r = writer.submitBulk(actions);
      if (r.getOk()) {
        return;
      }
      lastError = r.getError();
    }
    throw Status.ABORTED
        .withDescription("task status not recorded after " + ATTEMPTS + " attempts: " + lastError)
        .asRuntimeException();
  }

  private static boolean healthChanged(Task t, TaskStatusUpdate u) {
    return u.getStatus().getState() == dev.orch.proto.TaskState.RUNNING
        && (u.getStatus().getHealth() != t.getStatus().getHealth()
            || !u.getStatus().getHealthOutput().equals(t.getStatus().getHealthOutput()));
  }
}
