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
 * @param logRotation how big a container log may grow and how many parts of it are kept
 * @param drainDelay how long a task on networks keeps running, out of every load-balancing view,
 *     before its container is signalled to stop
 * @param imageGc when the node removes images no task uses
 */
public record DaemonOptions(
    Path dataDir,
    InetSocketAddress metricsAddress,
    Duration heartbeatPeriod,
    Duration stopGrace,
    Path clientConfigDir,
    long seed,
    Set<String> insecureRegistries,
    LogRotation logRotation,
    Duration drainDelay,
    dev.orch.agent.image.ImageGcPolicy imageGc) {

  /** Container logs: rotated above maxBytes, maxFiles parts kept (the live one included). */
  public record LogRotation(long maxBytes, int maxFiles) {
    public static final LogRotation DEFAULT = new LogRotation(10L << 20, 3);
  }

  public DaemonOptions {
    insecureRegistries = Set.copyOf(insecureRegistries);
    logRotation = logRotation == null ? LogRotation.DEFAULT : logRotation;
    drainDelay = drainDelay == null ? dev.orch.agent.AgentConfig.DEFAULT_DRAIN_DELAY : drainDelay;
    imageGc = imageGc == null ? dev.orch.agent.image.ImageGcPolicy.DEFAULT : imageGc;
  }

  /** Options without insecure registries, with the default log rotation and drain delay. */
  public DaemonOptions(Path dataDir, InetSocketAddress metricsAddress, Duration heartbeatPeriod,
      Duration stopGrace, Path clientConfigDir, long seed) {
    this(dataDir, metricsAddress, heartbeatPeriod, stopGrace, clientConfigDir, seed, Set.of(), LogRotation.DEFAULT,
        null, null);
  }
}
