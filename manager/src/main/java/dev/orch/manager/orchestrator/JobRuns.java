package dev.orch.manager.orchestrator;

import dev.orch.proto.Service;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.ArrayList;
import java.util.List;

/**
 * A job runs once per spec: changing the spec (or {@code service update --force}) starts a new run.
 * Tasks of an earlier run are stopped and become history; the slot then starts afresh.
 */
public final class JobRuns {
  private JobRuns() {}

  /**
   * Adds the actions that stop the wanted tasks of earlier runs in a slot to {@code out}, and
   * returns the slot's tasks as they will be once those actions apply, for {@link SlotPlan}: a task
   * being stopped then counts as stopping, so the new run's task waits for it.
   */
  public static List<Task> stopOldRuns(Service service, List<Task> inSlot, List<StoreAction> out) {
    List<Task> after = new ArrayList<>(inSlot.size());
    for (Task t : inSlot) {
      if (TaskStates.wanted(t) && !TaskSpecs.current(t, service)) {
        out.add(SlotPlan.shutDownAction(t));
        if (!TaskStates.unassigned(t)) {
          after.add(t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
        }
      } else {
        after.add(t);
      }
    }
    return after;
  }
}
