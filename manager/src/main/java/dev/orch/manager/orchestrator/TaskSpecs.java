package dev.orch.manager.orchestrator;

import dev.orch.proto.Placement;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.TaskSpec;

/**
 * The task spec a service asks for now, and whether a task runs it. A task whose spec differs is
 * of an older spec: the updater replaces it. Placement is left out of the comparison, as in
 * Swarm: a new constraint moves only the tasks whose node no longer matches (the constraint
 * enforcer does that), and a new spread preference moves nothing.
 */
public final class TaskSpecs {
  private TaskSpecs() {}

  public static TaskSpec of(Service service) {
    return TaskSpec.newBuilder()
        .setContainer(service.getSpec().getContainer())
        .setLimits(service.getSpec().getLimits())
        .setReservations(service.getSpec().getReservations())
        .setPlacement(service.getSpec().getPlacement())
        .setImageDigest(service.getImageDigest())
        .setForceUpdate(service.getSpec().getForceUpdate())
        .build();
  }

  /** Whether {@code task} runs what {@code service} asks for now. */
  public static boolean current(Task task, Service service) {
    return sameWork(task.getSpec(), of(service));
  }

  /** Whether two task specs run the same thing, placement aside. */
  public static boolean sameWork(TaskSpec a, TaskSpec b) {
    return a.toBuilder().setPlacement(Placement.getDefaultInstance()).build()
        .equals(b.toBuilder().setPlacement(Placement.getDefaultInstance()).build());
  }
}
