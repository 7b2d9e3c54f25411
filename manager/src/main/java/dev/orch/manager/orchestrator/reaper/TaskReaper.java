package dev.orch.manager.orchestrator.reaper;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.Commits;
import dev.orch.manager.orchestrator.Decision;
import dev.orch.manager.orchestrator.ServiceDefaults;
import dev.orch.manager.orchestrator.Slots;
import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.manager.orchestrator.Wakeups;
import dev.orch.manager.orchestrator.WorkQueue;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes finished tasks beyond the cluster's task history limit (default 5) in each slot of a
 * service, oldest first. Only history is reaped: a task the orchestrator still wants (a running
 * one, an ended one waiting for its restart, a completed job task) is never touched, and the
 * tasks of removed services are the orchestrator's to delete once their containers are gone.
 */
public final class TaskReaper implements WorkQueue.Reconciler<String> {
  private final StoreWriter writer;

  public TaskReaper(StoreWriter writer) {
    this.writer = writer;
  }

  private record State(boolean serviceExists, List<Task> tasks, long limit) {}

  @Override
  public void reconcile(String serviceId) {
    State s = writer.store().read(v -> new State(v.service(serviceId).isPresent(),
        List.copyOf(v.tasksByService(serviceId)), ServiceDefaults.taskHistoryLimit(v.cluster())));
    if (!s.serviceExists()) {
      return;
    }
    Commits.apply(writer, Wakeups.NONE, serviceId, decide(s.tasks(), s.limit()), "reaping task history of service");
  }

  /** The deletes that leave at most {@code limit} finished tasks of history per slot. */
  public static Decision decide(List<Task> tasks, long limit) {
    long finished = tasks.stream().filter(t -> !TaskStates.wanted(t) && TaskStates.finished(t)).count();
    if (finished <= limit) {
      return Decision.NOTHING; // no slot can be over the limit: skip grouping a large service
    }
    List<StoreAction> out = new ArrayList<>();
    for (List<Task> inSlot : Slots.group(tasks).values()) {
      List<Task> history = inSlot.stream()
          .filter(t -> !TaskStates.wanted(t) && TaskStates.finished(t))
          .sorted(Slots.OLDEST_FIRST.reversed())
          .toList();
      for (int i = (int) Math.min(limit, Integer.MAX_VALUE); i < history.size(); i++) {
        out.add(Actions.delete(history.get(i)));
      }
    }
    return Decision.of(out);
  }
}
