package dev.orch.manager.orchestrator.update;

import dev.orch.proto.Service;
import dev.orch.proto.UpdateState;
import dev.orch.proto.UpdateStatus;

/**
 * Swapping a service back to its previous spec, as automatic rollback (the updater) and {@code
 * service rollback} (the Control API) both do: the spec being left becomes the previous one, so
 * a second rollback returns to it, as in Swarm.
 */
public final class Rollbacks {
  private Rollbacks() {}

  public static boolean possible(Service s) {
    return s.hasPreviousSpec();
  }

  /** {@code s} rolled back, with update status ROLLBACK_STARTED at {@code now}. */
  public static Service rollBack(Service s, long now, String message) {
    if (!possible(s)) {
      throw new IllegalArgumentException("service " + s.getMeta().getId() + " has no previous spec");
    }
    return s.toBuilder()
        .setSpec(s.getPreviousSpec())
        .setImageDigest(s.getPreviousImageDigest())
        .setPreviousSpec(s.getSpec())
        .setPreviousImageDigest(s.getImageDigest())
        .setUpdateStatus(UpdateStatus.newBuilder()
            .setState(UpdateState.ROLLBACK_STARTED)
            .setStartedAtMs(now)
            .setMessage(message))
        .build();
  }
}
