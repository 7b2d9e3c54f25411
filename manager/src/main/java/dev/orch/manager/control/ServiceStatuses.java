package dev.orch.manager.control;

import dev.orch.proto.Service;
import dev.orch.proto.ServiceStatus;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.store.StoreView;
import java.util.List;

/**
 * The {@link ServiceStatus} the Control API puts on a service it returns: task counts and, when
 * tasks are waiting for a node, the scheduler's latest explanation, so that {@code service
 * inspect} answers "why is my task pending?" without a second command.
 */
final class ServiceStatuses {
  private ServiceStatuses() {}

  static Service withStatus(StoreView v, Service s) {
    List<Task> tasks = v.tasksByService(s.getMeta().getId());
    ServiceStatus.Builder status = ServiceStatus.newBuilder()
        .setDesiredTasks(ModeCounts.desired(s, tasks))
        .setCompletedTasks(ModeCounts.completed(s, tasks));
    long newestReason = Long.MIN_VALUE;
    for (Task t : tasks) {
      if (t.getDesiredState() != TaskState.RUNNING) {
        continue;
      }
      TaskState state = t.getStatus().getState();
      if (state == TaskState.RUNNING) {
        status.setRunningTasks(status.getRunningTasks() + 1);
      } else if (state.getNumber() <= TaskState.PENDING_VALUE) {
        status.setPendingTasks(status.getPendingTasks() + 1);
        if (!t.getStatus().getErr().isEmpty() && t.getStatus().getTimestampMs() > newestReason) {
          newestReason = t.getStatus().getTimestampMs();
          status.setPendingReason(t.getStatus().getErr());
        }
      }
    }
    return s.toBuilder().setStatus(status).build();
  }
}
