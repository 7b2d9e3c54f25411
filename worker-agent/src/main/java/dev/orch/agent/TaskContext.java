package dev.orch.agent;

import dev.orch.agent.image.BlobSource;
import dev.orch.agent.image.ImageStore;
import dev.orch.agent.image.RegistryClient;
import dev.orch.agent.runtime.ContainerRuntime;
import dev.orch.agent.volume.VolumeStore;
import dev.orch.proto.Image;
import dev.orch.proto.RegistryAuth;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/** What every task controller on this node shares. */
final class TaskContext {
  final ContainerRuntime runtime;
  final ImageStore images;
  final TaskStatusBatcher statuses;
  final Executor executor;
  final Clock clock;
  final Path logDir;
  final Duration stopGrace;
  /** Time a task on networks is left running after the manager stops wanting it (see {@link StopDrain}). */
  final Duration drainDelay;
  final VolumeStore volumes;
  final Path dataDir;
  /** Image metadata by manifest digest, as sent with assignments. */
  final Map<String, Image> knownImages = new ConcurrentHashMap<>();
  /** Registry credentials of tasks whose service has them (--with-registry-auth), by task id. */
  final Map<String, RegistryAuth> registryAuth = new ConcurrentHashMap<>();
  volatile BlobSource blobs;
  /** Runs health checks (each blocks a thread for at most its timeout) and the stops after a drain. */
  final java.util.concurrent.ScheduledExecutorService healthChecks;
  final RegistryClient registries = new RegistryClient(Duration.ofSeconds(30));
  /** Connects containers to their networks; null when this node cannot (the reason is below). */
  final dev.orch.agent.net.ContainerNetworks networks;
  final String networksUnavailable;
  /** Secrets and configs of the assigned tasks, in memory, written to a tmpfs for their containers. */
  final TaskFiles files;

  TaskContext(AgentConfig config, TaskStatusBatcher statuses, Executor executor,
      java.util.concurrent.ScheduledExecutorService healthChecks) {
    this(config, statuses, executor, healthChecks, null, "networking is not set up on this node");
  }

  TaskContext(AgentConfig config, TaskStatusBatcher statuses, Executor executor,
      java.util.concurrent.ScheduledExecutorService healthChecks,
      dev.orch.agent.net.ContainerNetworks networks, String networksUnavailable) {
    this.healthChecks = healthChecks;
    this.networks = networks;
    this.networksUnavailable = networksUnavailable;
    this.runtime = config.runtime();
    this.images = config.images();
    this.statuses = statuses;
    this.executor = executor;
    this.clock = config.clock();
    this.logDir = config.logDir();
    this.stopGrace = config.stopGrace();
    this.drainDelay = config.drainDelay();
    this.volumes = config.volumes();
    this.dataDir = config.dataDir();
    this.files = new TaskFiles(new dev.orch.agent.runtime.TaskFileStore(config.logDir().resolveSibling("task-files")));
  }
}
