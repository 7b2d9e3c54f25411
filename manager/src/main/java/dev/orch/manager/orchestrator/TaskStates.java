package dev.orch.manager.orchestrator;

import dev.orch.proto.Task;
import dev.orch.proto.TaskState;

/** Questions about task states asked by several controllers. */
public final class TaskStates {
  private TaskStates() {}

  /** The task's container has ended or will never start. */
  public static boolean finished(Task t) {
    return t.getStatus().getState().getNumber() > TaskState.RUNNING_VALUE;
  }

  /** The orchestrator still wants this task to run. */
  public static boolean wanted(Task t) {
    return t.getDesiredState().getNumber() <= TaskState.RUNNING_VALUE;
  }

  /**
   * The task runs and, if it has a health check, has passed it: what updates and start-first
   * replacements wait for. A task whose check has not passed yet (or failed) does not serve.
   */
  public static boolean serving(Task t) {
    dev.orch.proto.TaskHealth h = t.getStatus().getHealth();
    return t.getStatus().getState() == TaskState.RUNNING
        && h != dev.orch.proto.TaskHealth.HEALTH_STARTING && h != dev.orch.proto.TaskHealth.HEALTH_UNHEALTHY;
  }

  /** No node has the task yet, so no agent will ever report on it. */
  public static boolean unassigned(Task t) {
    return t.getStatus().getState().getNumber() < TaskState.ASSIGNED_VALUE;
  }
}
