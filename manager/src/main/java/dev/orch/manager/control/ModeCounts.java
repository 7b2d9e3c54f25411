package dev.orch.manager.control;

import dev.orch.manager.orchestrator.ServiceModes;
import dev.orch.manager.orchestrator.TaskSpecs;
import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.List;

/**
 * How many tasks a service wants, by mode: its replicas (for a replicated job, the completions),
 * or for a global service the nodes that have a wanted task; and for jobs, how many completed.
 */
final class ModeCounts {
  private ModeCounts() {}

  static long desired(Service s, List<Task> tasks) {
    if (!ServiceModes.isGlobal(s.getSpec())) {
      return s.getSpec().getReplicas();
    }
    return tasks.stream().filter(TaskStates::wanted).map(Task::getGlobalNodeId).distinct().count();
  }

  /** Jobs: slots whose task of the current spec completed. 0 for services. */
  static long completed(Service s, List<Task> tasks) {
    if (!ServiceModes.isJob(s.getSpec())) {
      return 0;
    }
    return tasks.stream()
        .filter(t -> t.getStatus().getState() == TaskState.COMPLETE && TaskSpecs.current(t, s))
        .map(t -> t.getGlobalNodeId().isEmpty() ? "slot:" + t.getSlot() : t.getGlobalNodeId())
        .distinct().count();
  }
}
