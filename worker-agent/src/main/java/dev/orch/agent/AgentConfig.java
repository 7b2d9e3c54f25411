package dev.orch.agent;

import dev.orch.agent.image.ImageStore;
import dev.orch.agent.logs.LogRotator;
import dev.orch.agent.runtime.ContainerRuntime;
import dev.orch.agent.volume.VolumeStore;
import dev.orch.proto.NodeDescription;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;

/**
 * What the agent needs to run.
 *
 * @param nodeId this node's id
 * @param managerAddress host:port of a manager's dispatcher
 * @param advertiseAddr the address other nodes reach this node on
 * @param logDir where container logs go
 * @param description what this node reports about itself
 * @param runtime the container runtime
 * @param images the node's image store
 * @param stopGrace how long a container gets between SIGTERM and SIGKILL
 * @param clock time source
 * @param random randomness for reconnect jitter
 * @param volumes the node's named volumes
 * @param dataDir the node's data directory, which bind mounts may not expose
 * @param logRotator bounds the container logs in logDir
 * @param drainDelay how long a task on networks keeps running, out of every load-balancing view,
 *     before it is signalled to stop (so every node has dropped it from its VIP and mesh rules)
 */
public record AgentConfig(
    String nodeId,
    String managerAddress,
    String advertiseAddr,
    Path logDir,
    NodeDescription description,
    ContainerRuntime runtime,
    ImageStore images,
    Duration stopGrace,
    Clock clock,
    Random random,
    VolumeStore volumes,
    Path dataDir,
    LogRotator logRotator,
    Duration drainDelay) {

  /** Swarm's delay, ample for a network view to reach every node of a cluster on one site. */
  public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(2);
}
