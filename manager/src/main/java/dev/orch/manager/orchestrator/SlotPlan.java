package dev.orch.manager.orchestrator;

import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the orchestrator of a slot (replicated, global, job) does with the tasks in it. The slot
 * is shared with three other controllers, and these rules are what keeps them from stepping on
 * each other:
 *
 * <ul>
 *   <li>A wanted task that has ended belongs to the restart supervisor, which replaces it (or not)
 *       after the restart delay; the orchestrator does not fill that slot.
 *   <li>A task still stopping on a reachable node (stop-first update, constraint enforcement)
 *       is waited for: its replacement starts once it is gone.
 *   <li>Two live wanted tasks in one slot are a start-first update: the older one keeps running
 *       until the newer one runs, then it is shut down.
 *   <li>Tasks on unavailable nodes (down, drained, removed) are shut down and replaced at once:
 *       their node may never report them stopped.
 * </ul>
 */
public final class SlotPlan {
  /**
   * @param shutDown tasks to stop (desired state SHUTDOWN, or delete if never assigned)
   * @param needsTask whether the slot needs a new task now
   * @param live the task that serves the slot, if any
   */
  public record Decision(List<Task> shutDown, boolean needsTask, Task live) {}

  private SlotPlan() {}

  public static Decision decide(List<Task> inSlot, Set<String> unavailableNodes) {
    List<Task> wanted = inSlot.stream().filter(TaskStates::wanted).toList();
    Task keep = wanted.stream()
        .filter(t -> !TaskStates.finished(t) && !unavailableNodes.contains(t.getNodeId()))
        .max(Slots.OLDEST_FIRST).orElse(null);
    List<Task> shutDown = new ArrayList<>();
    boolean endedWanted = false;
    for (Task t : wanted) {
      if (t == keep) {
        continue;
      }
      if (TaskStates.finished(t)) {
        if (keep != null) {
          shutDown.add(t); // the slot is served: the ended task is history now
        } else {
          endedWanted = true; // the restart supervisor's to replace
        }
      } else if (unavailableNodes.contains(t.getNodeId())
          || TaskStates.serving(keep)
          || t.getStatus().getState() != TaskState.RUNNING) {
        shutDown.add(t);
      }
    }
    boolean stopping = inSlot.stream().anyMatch(t -> !TaskStates.wanted(t) && !TaskStates.finished(t)
        && !TaskStates.unassigned(t) && !unavailableNodes.contains(t.getNodeId()));
    boolean needsTask = keep == null && !endedWanted && !stopping;
    return new Decision(shutDown, needsTask, keep);
  }

  /** The action that stops {@code t}: a delete if no node has it, else desired state SHUTDOWN. */
  public static dev.orch.proto.StoreAction shutDownAction(Task t) {
    if (TaskStates.unassigned(t)) {
      // No agent will ever report on it; deleting is the whole shutdown.
      return dev.orch.manager.Actions.delete(t);
    }
    return dev.orch.manager.Actions.update(t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
  }
}
