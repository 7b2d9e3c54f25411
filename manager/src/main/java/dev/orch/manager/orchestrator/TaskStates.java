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

  /** No node has the task yet, so no agent will ever report on it. */
  public static boolean unassigned(Task t) {
    return t.getStatus().getState().getNumber() < TaskState.ASSIGNED_VALUE;
  }
}
