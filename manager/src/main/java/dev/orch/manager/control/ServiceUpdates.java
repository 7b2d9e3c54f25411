package dev.orch.manager.control;

import dev.orch.manager.orchestrator.ServiceDefaults;
import dev.orch.manager.orchestrator.ServiceModes;
import dev.orch.manager.orchestrator.TaskSpecs;
import dev.orch.manager.orchestrator.update.Rollbacks;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateState;
import dev.orch.proto.UpdateStatus;
import io.grpc.Status;

/**
 * How {@code UpdateService} changes a stored service: the spec being replaced is kept as the
 * previous spec (what rollback returns to), and a change that replaces tasks starts a rolling
 * update (UPDATING) that the updater then carries out. Any update resumes a paused one, as in
 * Swarm. A rollback swaps the spec with the previous one and starts ROLLBACK_STARTED.
 */
final class ServiceUpdates {
  private ServiceUpdates() {}

  /** {@code current} with {@code spec} (defaults filled in) and image {@code digest}. */
  static Service update(Service current, ServiceSpec spec, String digest, long now) {
    if (spec.getMode() != current.getSpec().getMode()) {
      throw ServiceSpecValidator.invalid("changing a service's mode (" + ServiceModes.name(current.getSpec().getMode())
          + " to " + ServiceModes.name(spec.getMode()) + ") is not supported: remove the service and create it again");
    }
    Service.Builder b = current.toBuilder()
        .setSpec(ServiceDefaults.withDefaults(spec))
        .setImageDigest(digest)
        .setPreviousSpec(current.getSpec())
        .setPreviousImageDigest(current.getImageDigest());
    Service updated = b.build();
    boolean tasksChange = !TaskSpecs.of(updated).equals(TaskSpecs.of(current));
    UpdateState state = current.getUpdateStatus().getState();
    boolean paused = state == UpdateState.PAUSED || state == UpdateState.ROLLBACK_PAUSED;
    if (!ServiceModes.isJob(spec) && (tasksChange || paused)) {
      b.setUpdateStatus(UpdateStatus.newBuilder()
          .setState(UpdateState.UPDATING).setStartedAtMs(now).setMessage("update in progress"));
    }
    return b.build();
  }

  /** {@code current} rolled back to its previous spec. */
  static Service rollback(Service current, long now) {
    if (!Rollbacks.possible(current)) {
      throw Status.FAILED_PRECONDITION.withDescription("service " + current.getSpec().getName()
          + " has no previous spec to roll back to: it was never updated").asRuntimeException();
    }
    if (ServiceModes.isJob(current.getSpec())) {
      throw Status.FAILED_PRECONDITION.withDescription("service " + current.getSpec().getName()
          + " is a job: jobs are not rolled back; update it to the spec to run").asRuntimeException();
    }
    return Rollbacks.rollBack(current, now, "manually requested rollback");
  }
}
