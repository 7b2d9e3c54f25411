package dev.orch.manager;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * How orchd runs, beyond its persisted identity.
 *
 * @param dataDir where everything of this node lives
 * @param metricsAddress where to serve Prometheus metrics, or null for none
 * @param heartbeatPeriod how often workers heartbeat
 * @param stopGrace time between SIGTERM and SIGKILL when stopping a container
 * @param clientConfigDir where to write the manager address for orchctl, or null for none
 * @param seed seed of all randomness (ids, scheduling ties, jitter)
 * @param insecureRegistries registries (host[:port]) this manager talks to in plain HTTP
 */
public record DaemonOptions(
    Path dataDir,
    InetSocketAddress metricsAddress,
    Duration heartbeatPeriod,
    Duration stopGrace,
    Path clientConfigDir,
    long seed,
    Set<String> insecureRegistries) {

  public DaemonOptions {
    insecureRegistries = Set.copyOf(insecureRegistries);
  }

  /** Options without insecure registries. */
  public DaemonOptions(Path dataDir, InetSocketAddress metricsAddress, Duration heartbeatPeriod,
      Duration stopGrace, Path clientConfigDir, long seed) {
    this(dataDir, metricsAddress, heartbeatPeriod, stopGrace, clientConfigDir, seed, Set.of());
  }
}
