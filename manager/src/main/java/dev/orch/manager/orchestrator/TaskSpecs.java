package dev.orch.manager.orchestrator;

import dev.orch.proto.Placement;
import dev.orch.proto.Resources;
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
    TaskSpec.Builder spec = TaskSpec.newBuilder()
        .setContainer(service.getSpec().getContainer())
        .setImageDigest(service.getImageDigest())
        .setForceUpdate(service.getSpec().getForceUpdate());
    // Empty parts are left unset: set, they are stored and parsed as objects of their own in
    // every task (two empty Resources are a tenth of what a task costs the manager's heap).
    if (!isDefault(service.getSpec().getLimits())) {
      spec.setLimits(service.getSpec().getLimits());
    }
    if (!isDefault(service.getSpec().getReservations())) {
      spec.setReservations(service.getSpec().getReservations());
    }
    if (!service.getSpec().getPlacement().equals(Placement.getDefaultInstance())) {
      spec.setPlacement(service.getSpec().getPlacement());
    }
    // Networking: a change of networks, network mode or published ports replaces the tasks.
    spec.addAllNetworks(service.getSpec().getNetworksList())
        .setNetworkMode(service.getSpec().getNetworkMode())
        .addAllPorts(service.getSpec().getEndpoint().getPortsList());
    return spec.build();
  }

  private static boolean isDefault(Resources r) {
    return r.equals(Resources.getDefaultInstance());
  }

  /** Whether {@code task} runs what {@code service} asks for now. */
  public static boolean current(Task task, Service service) {
    return sameWork(task.getSpec(), of(service));
  }

  /** Whether two task specs run the same thing, placement aside. */
  public static boolean sameWork(TaskSpec a, TaskSpec b) {
    return work(a).equals(work(b));
  }

  /** The spec without placement, and with empty resources unset, as tasks made before stored them set. */
  private static TaskSpec work(TaskSpec spec) {
    TaskSpec.Builder b = spec.toBuilder().clearPlacement();
    if (isDefault(spec.getLimits())) {
      b.clearLimits();
    }
    if (isDefault(spec.getReservations())) {
      b.clearReservations();
    }
    return b.build();
  }
}
