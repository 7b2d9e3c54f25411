package dev.orch.manager.orchestrator;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.Node;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import dev.orch.scheduler.PlacementDecision;
import dev.orch.scheduler.Scheduler;
import dev.orch.store.StoreView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places every pending task in one pass over one read of the store, then writes the decisions,
 * each update carrying the task version it read, so a task changed meanwhile refuses the write and
 * the pass is retried from fresh state. Tasks that fit nowhere keep PENDING with the explanation
 * in their status; they are retried whenever a node changes or a task ends.
 *
 * <p>A pass is written as one transaction up to {@link TransactionBatches#MAX_ACTIONS} decisions;
 * a larger pass (a 100,000-replica service) is cut into several, proposed together. Each of them
 * stands on its own: a task it assigns is counted by the next pass whatever happens to the others.
 */
public final class TaskSchedulerController implements WorkQueue.Reconciler<String> {
  public static final String ALL = "all";

  private final StoreWriter writer;
  private final Scheduler scheduler;
  private final Clock clock;

  public TaskSchedulerController(StoreWriter writer, Scheduler scheduler, Clock clock) {
    this.writer = writer;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  private record Snapshot(Collection<Node> nodes, List<Task> running, List<Task> pending) {}

  @Override
  public void reconcile(String ignored) {
    Snapshot s = writer.store().read(TaskSchedulerController::snapshot);
    if (s == null) {
      return;
    }
    List<StoreAction> actions = decide(s);
    if (!actions.isEmpty()) {
      TransactionBatches.commit(writer, actions, "scheduling pass");
    }
  }

  /**
   * What one pass needs, read at one index; null when nothing is pending. Pending tasks come from
   * the store's index of unassigned tasks, so a pass with nothing to do (most node and task events)
   * costs nothing; only a pass with work reads every task, to count what the nodes already run.
   */
  private static Snapshot snapshot(StoreView v) {
    List<Task> pending = new ArrayList<>();
    for (Task t : v.unassignedTasks()) {
      if (t.getStatus().getState() == TaskState.PENDING && TaskStates.wanted(t)) {
        pending.add(t);
      }
    }
    if (pending.isEmpty()) {
      return null;
    }
    List<Task> running = new ArrayList<>();
    for (Task t : v.tasks()) {
      if (!t.getNodeId().isEmpty() && !TaskStates.finished(t)) {
        running.add(t);
      }
    }
    return new Snapshot(List.copyOf(v.nodes()), running, pending);
  }

  /** The updates of one pass: assignments, and explanations that changed. */
  private List<StoreAction> decide(Snapshot s) {
    List<Task> ordered = new ArrayList<>(s.pending());
    // Lower slots first, so that when a service does not fit whole its first replicas run.
    ordered.sort(Comparator.comparing(Task::getServiceId).thenComparingLong(Task::getSlot));
    Map<String, Task> byId = new HashMap<>(ordered.size() * 2);
    ordered.forEach(t -> byId.put(t.getMeta().getId(), t));
    List<StoreAction> actions = new ArrayList<>();
    long now = clock.millis();
    for (PlacementDecision p : scheduler.schedule(s.nodes(), s.running(), ordered)) {
      Task t = byId.get(p.taskId());
      if (p.placed()) {
        actions.add(Actions.update(t.toBuilder()
            .setNodeId(p.nodeId())
            .setStatus(TaskStatus.newBuilder()
                .setState(TaskState.ASSIGNED)
                .setTimestampMs(now)
                .setMessage("scheduler assigned task to node"))
            .build()));
      } else if (!p.explanation().equals(t.getStatus().getErr())) {
        actions.add(Actions.update(t.toBuilder()
            .setStatus(t.getStatus().toBuilder().setErr(p.explanation()).setTimestampMs(now))
            .build()));
      }
    }
    return actions;
  }
}
