package dev.orch.agent;

import dev.orch.proto.Task;
import java.time.Duration;

/**
 * How long a task is left running once the manager no longer wants it, before its container is
 * signalled. The manager drops such a task from every load-balancing view at once (service VIPs,
 * routing-mesh ports, DNS answers), but each node applies its new view a moment later; a task
 * stopped before all have done so would refuse the connections still sent to it. Waiting lets
 * every node drop it first, and lets the connections it already has finish: their conntrack
 * entries keep them on this task while new ones go elsewhere. Swarm waits 2 s for the same
 * reason; Kubernetes leaves it to a preStop hook.
 *
 * <p>Only a task on networks is in such views: one without them (no networks, {@code --network
 * host|none}, host-mode ports only) is stopped at once.
 */
final class StopDrain {
  private StopDrain() {}

  /** The wait before stopping {@code t}'s running container, given the node's drain delay. */
  static Duration before(Task t, Duration drainDelay) {
    return t.getNetworksCount() > 0 && !drainDelay.isNegative() && !drainDelay.isZero() ? drainDelay : Duration.ZERO;
  }
}
