package dev.orch.agent;

import dev.orch.agent.image.BlobSource;
import dev.orch.agent.image.RegistryBlobSource;
import dev.orch.agent.image.RegistryClient;
import dev.orch.agent.runtime.Container;
import dev.orch.agent.runtime.ContainerConfig;
import dev.orch.agent.runtime.ContainerException;
import dev.orch.agent.runtime.Signals;
import dev.orch.proto.Image;
import dev.orch.proto.RegistryAuth;
import dev.orch.proto.Task;
import dev.orch.proto.TaskHealth;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one task on this node, one transition per step and never backwards:
 * assigned → accepted → preparing (image layers) → starting → running → complete | failed, or
 * shutdown when the manager no longer wants it. Steps of one task never run concurrently; every
 * error is classified here: preparation errors reject the task, start errors fail it.
 */
final class TaskController {
  private static final Logger LOG = LoggerFactory.getLogger(TaskController.class);

  private final String taskId;
  private final TaskContext ctx;
  private Task task;
  private TaskState observed;
  private List<Path> layers;
  private TaskMounts.Resolved mounts;
  private Container container;
  private Container.ExitStatus exit;
  private boolean stopping;
  private boolean containerRemoved;
  private boolean deleted;
  /** The task's logs were deleted (and its image released): it is gone from the cluster. */
  private boolean forgotten;
  private boolean stepping;
  private boolean again;
  private HealthMonitor health;
  /** The RUNNING status as reported, which health changes are sent as. */
  private TaskStatus running;
  /** Why the task fails once its container is gone (an unhealthy task is stopped by the agent). */
  private String failure;
  /** The network namespace and files of the container, once its networks are connected. */
  private dev.orch.agent.net.ContainerNetworks.Prepared network;
  private boolean networkReleased;

  TaskController(Task task, TaskContext ctx, Container recovered) {
    this.taskId = task.getMeta().getId();
    this.ctx = ctx;
    this.task = task;
    this.observed = task.getStatus().getState();
    if (recovered != null) {
      attach(recovered);
      observed = TaskState.RUNNING;
      running = task.getStatus();
      monitorHealth(task, recovered.id(), task.getStatus().getHealth(), task.getStatus().getTimestampMs());
      holdVolumes(task);
      if (ctx.networks != null && dev.orch.agent.net.ContainerNetworks.attaches(task)) {
        ctx.networks.adopt(task);
        network = new dev.orch.agent.net.ContainerNetworks.Prepared(
            dev.orch.agent.net.NetnsCommands.path(taskId), java.util.Map.of());
      }
    } else if (observed == TaskState.RUNNING) {
      // The manager thinks it runs but this agent has no container for it: it was lost while the
      // agent was down.
      report(TaskState.FAILED, "container lost while the agent was not running", 0);
    }
  }

  synchronized Task task() {
    return task;
  }

  synchronized void assign(Task latest) {
    task = latest;
    schedule();
  }

  /** The task is gone from the store: stop and remove its container, report nothing. */
  synchronized void delete() {
    deleted = true;
    schedule();
  }

  synchronized boolean finishedAndRemoved() {
    return deleted && (container == null || exit != null) && containerRemoved;
  }

  private void schedule() {
    if (stepping) {
      again = true;
      return;
    }
    stepping = true;
    ctx.executor.execute(this::loop);
  }

  private void loop() {
    while (true) {
      boolean more;
      try {
        more = step();
      } catch (RuntimeException e) {
        LOG.warn("task {}: unexpected error: {}", taskId, e.toString(), e);
        synchronized (this) {
          report(TaskState.FAILED, "agent error: " + e.getMessage(), 0);
        }
        more = false;
      }
      synchronized (this) {
        if (!more && !again) {
          stepping = false;
          return;
        }
        again = false;
      }
    }
  }

  /** Makes one transition; returns whether another step should follow at once. */
  private boolean step() {
    Task t;
    TaskState state;
    boolean disconnect;
    synchronized (this) {
      t = task;
      state = observed;
      // An ended container gives its addresses back at once: the allocator may hand them out again.
      disconnect = mayHoldNetwork() && (exit != null
          || (container == null && state.getNumber() > TaskState.RUNNING_VALUE));
    }
    if (disconnect) {
      releaseNetwork();
    }
    if (deleted || t.getDesiredState().getNumber() > TaskState.RUNNING_VALUE) {
      return stepDown(t);
    }
    switch (state) {
      case NEW, PENDING, ASSIGNED -> advance(TaskState.ACCEPTED, "accepted");
      case ACCEPTED -> advance(TaskState.PREPARING, "preparing");
      case PREPARING -> prepare(t);
      case STARTING -> start(t);
      default -> {
        return false;
      }
    }
    return true;
  }

  private void prepare(Task t) {
    Image image = ctx.knownImages.get(t.getSpec().getImageDigest());
    try {
      if (image == null) {
        throw new IllegalStateException("image " + t.getSpec().getImageDigest() + " was not sent with the task");
      }
      List<Path> dirs = ctx.images.layerDirs(image, blobSource(image));
      synchronized (this) {
        layers = dirs;
      }
    } catch (Exception e) {
      synchronized (this) {
        report(TaskState.REJECTED, "preparing image: " + e.getMessage(), 0);
      }
      return;
    }
    try {
      TaskMounts.Resolved m = TaskMounts.resolve(t, ctx.volumes, ctx.dataDir);
      synchronized (this) {
        mounts = m;
      }
    } catch (IOException e) {
      ctx.volumes.release(taskId);
      synchronized (this) {
        report(TaskState.REJECTED, "preparing mounts: " + e.getMessage(), 0);
      }
      return;
    }
    if (!prepareNetwork(t)) {
      ctx.volumes.release(taskId);
      return;
    }
    advance(TaskState.STARTING, "starting");
  }

  /** A container recovered after an agent restart still holds its volumes. */
  private void holdVolumes(Task t) {
    try {
      TaskMounts.resolve(t, ctx.volumes, ctx.dataDir);
    } catch (IOException e) {
      LOG.warn("task {}: its volumes could not be registered again: {}", taskId, e.getMessage());
    }
  }

  /** Connects the container's networks before it starts; false (and REJECTED) when that fails. */
  private boolean prepareNetwork(Task t) {
    if (!dev.orch.agent.net.ContainerNetworks.attaches(t)) {
      return true;
    }
    try {
      if (ctx.networks == null) {
        throw new IllegalStateException(ctx.networksUnavailable);
      }
      var prepared = ctx.networks.prepare(t, ContainerConfigs.hostname(t));
      synchronized (this) {
        network = prepared;
      }
      return true;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      synchronized (this) {
        report(TaskState.REJECTED, "preparing network: " + e.getMessage(), 0);
      }
      return false;
    }
  }

  /**
   * Whether the task may have a network namespace on this node that is not released yet. Not only
   * when this controller connected it: a task found half-prepared after an agent restart has one
   * that nobody recorded. Releasing what is not there costs nothing. Caller holds the lock.
   */
  private boolean mayHoldNetwork() {
    return !networkReleased && (network != null
        || ctx.networks != null && dev.orch.agent.net.ContainerNetworks.attaches(task));
  }

  private void releaseNetwork() {
    ctx.networks.release(taskId);
    synchronized (this) {
      networkReleased = true;
    }
  }

  /** The container's network namespace: its own prepared one, the node's for host mode, else a new one. */
  private ContainerConfig networked(Task t, ContainerConfig config) {
    if (t.getSpec().getNetworkMode() == dev.orch.proto.NetworkMode.NETWORK_MODE_HOST) {
      return config.withNetwork(Path.of("/proc/" + ProcessHandle.current().pid() + "/ns/net"), List.of());
    }
    var prepared = network;
    if (prepared == null) {
      return config;
    }
    List<ContainerConfig.BindMount> files = prepared.files().entrySet().stream()
        .map(f -> new ContainerConfig.BindMount(f.getValue(), f.getKey(), false)).toList();
    return config.withNetwork(prepared.netns(), files);
  }

  /** Registry images are pulled by each node from their registry; imported ones from the managers. */
  private BlobSource blobSource(Image image) {
    if (!image.hasSource()) {
      return ctx.blobs;
    }
    RegistryAuth auth = ctx.registryAuth.get(taskId);
    RegistryClient.Credentials credentials = auth == null || auth.getUsername().isEmpty()
        ? null : new RegistryClient.Credentials(auth.getUsername(), auth.getPassword());
    return new RegistryBlobSource(ctx.registries, image.getSource(), credentials);
  }

  private void start(Task t) {
    Image image = ctx.knownImages.get(t.getSpec().getImageDigest());
    Path log = ctx.logDir.resolve(taskId + ".log");
    try {
      ContainerConfig config = networked(t, ContainerConfigs.of(t, image, layers, log, mounts, ctx.files.write(t)));
      Container c = ctx.runtime.start(config);
      synchronized (this) {
        attach(c);
        if (observed == TaskState.STARTING) {
          observed = TaskState.RUNNING;
          boolean checked = monitorHealth(t, c.id(), TaskHealth.HEALTH_STARTING, ctx.clock.millis());
          running = status(TaskState.RUNNING, "started", 0).setPid(c.pid()).setContainerId(c.id())
              .setHealth(checked ? TaskHealth.HEALTH_STARTING : TaskHealth.HEALTH_NONE).build();
          ctx.statuses.report(taskId, running);
        }
      }
    } catch (ContainerException e) {
      ctx.files.remove(taskId);
      synchronized (this) {
        report(TaskState.FAILED, "starting container: " + e.getMessage(), 0);
      }
      boolean disconnect;
      synchronized (this) {
        disconnect = mayHoldNetwork();
      }
      if (disconnect) {
        releaseNetwork();
      }
    }
  }

  private void attach(Container c) {
    container = c;
    c.exited().whenComplete((status, err) -> onExit(status, err));
  }

  private synchronized void onExit(Container.ExitStatus status, Throwable err) {
    exit = status != null ? status : new Container.ExitStatus(-1, 0, String.valueOf(err));
    if (health != null) {
      health.stop();
    }
    // a stopped task's secrets and configs are gone at once, not when its container is removed
    ctx.files.remove(taskId);
    if (observed.getNumber() <= TaskState.RUNNING_VALUE) {
      if (failure != null) {
        report(TaskState.FAILED, failure, exit.exitCode());
      } else if (stopping || task.getDesiredState().getNumber() > TaskState.RUNNING_VALUE) {
        report(TaskState.SHUTDOWN, "shutdown", exit.exitCode());
      } else if (exit.success()) {
        report(TaskState.COMPLETE, "finished", 0);
      } else {
        report(TaskState.FAILED, describe(exit), exit.signal() != 0 ? 128 + exit.signal() : exit.exitCode());
      }
    }
    schedule();
  }

  private static String describe(Container.ExitStatus e) {
    return e.signal() != 0 ? "task: killed by signal " + e.signal()
        : "task: non-zero exit (" + e.exitCode() + ")";
  }

  /** The manager wants the task stopped (or it was deleted): stop, report, remove if asked. */
  private boolean stepDown(Task t) {
    Container c;
    synchronized (this) {
      c = container;
      if (c != null && exit == null) {
        if (!stopping) {
          stopping = true;
          stopAfterDrain(c, t);
        }
        return false; // onExit schedules the next step
      }
      if (observed.getNumber() <= TaskState.RUNNING_VALUE && !deleted) {
        report(TaskState.SHUTDOWN, "shutdown", 0);
      }
    }
    boolean disconnect;
    synchronized (this) {
      disconnect = mayHoldNetwork();
    }
    if (disconnect) {
      releaseNetwork();
    }
    boolean remove = deleted || t.getDesiredState() == TaskState.REMOVE;
    if (remove && !containerRemoved) {
      try {
        ctx.runtime.remove(taskId);
        ctx.volumes.release(taskId);
        synchronized (this) {
          containerRemoved = true;
        }
      } catch (ContainerException e) {
        LOG.warn("task {}: removing container failed, will retry on the next change: {}", taskId, e.getMessage());
      }
    }
    boolean forget;
    synchronized (this) {
      forget = deleted && containerRemoved && !forgotten;
      forgotten |= forget;
    }
    if (forget) {
      forget();
    }
    return false;
  }

  /** The task is gone from the cluster and its container removed: its logs go, its image may go. */
  private void forget() {
    ctx.images.collector().unpin(taskId);
    try {
      dev.orch.agent.logs.LogRotator.deleteTaskLogs(ctx.logDir, taskId);
    } catch (IOException e) {
      LOG.warn("task {}: deleting its logs failed (retried at the next agent start): {}", taskId, e.toString());
    }
  }

  /** Starts the task's health check, if it has one; caller holds the lock. */
  private boolean monitorHealth(Task t, String containerId, TaskHealth now, long startedAtMs) {
    Image image = ctx.knownImages.get(t.getSpec().getImageDigest());
    var settings = HealthMonitor.Settings.of(t.getSpec().getContainer(),
        image != null ? image.getConfig() : dev.orch.proto.ImageConfig.getDefaultInstance());
    if (settings.isEmpty()) {
      return false;
    }
    health = new HealthMonitor(containerId, settings.get(), now, startedAtMs, ctx.runtime, ctx.healthChecks,
        ctx.clock, new HealthMonitor.Listener() {
          @Override
          public void healthChanged(TaskHealth h, String output) {
            reportHealth(h, output);
          }

          @Override
          public void unhealthy(String output) {
            failUnhealthy(output);
          }
        });
    health.start();
    return true;
  }

  private synchronized void reportHealth(TaskHealth h, String output) {
    if (observed == TaskState.RUNNING && exit == null && !stopping && running != null) {
      running = running.toBuilder().setHealth(h).setHealthOutput(output).setTimestampMs(ctx.clock.millis()).build();
      ctx.statuses.report(taskId, running);
    }
  }

  /** Unhealthy: the container is stopped as for a shutdown, and the task fails with the check's output. */
  private synchronized void failUnhealthy(String output) {
    if (container == null || exit != null || stopping) {
      return;
    }
    failure = "unhealthy container: health check failed " + output;
    if (running != null) {
      ctx.statuses.report(taskId, running.toBuilder().setHealth(TaskHealth.HEALTH_UNHEALTHY)
          .setHealthOutput(output).setTimestampMs(ctx.clock.millis()).build());
    }
    stopping = true;
    stopContainer(container, task);
  }

  /** Stops the container once the task has drained (at once when it is in no load-balancing view); caller holds the lock. */
  private void stopAfterDrain(Container c, Task t) {
    Duration drain = StopDrain.before(t, ctx.drainDelay);
    if (drain.isZero()) {
      stopContainer(c, t);
      return;
    }
    LOG.debug("task {}: draining for {} before stopping", taskId, drain);
    try {
      ctx.healthChecks.schedule(() -> {
        synchronized (this) {
          if (exit == null) {
            stopContainer(c, task);
          }
        }
      }, drain.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the agent is closing: containers outlive it, and the next agent stops this one
      LOG.info("task {}: agent closing, not stopped", taskId);
    }
  }

  /** The service's stop signal, else the image's STOPSIGNAL, else SIGTERM; its grace period, else the node's. */
  private void stopContainer(Container c, Task t) {
    var spec = t.getSpec().getContainer();
    Image image = ctx.knownImages.get(t.getSpec().getImageDigest());
    String named = !spec.getStopSignal().isEmpty() ? spec.getStopSignal()
        : image != null ? image.getConfig().getStopSignal() : "";
    int signal = named.isEmpty() ? Signals.SIGTERM : Signals.number(named);
    Duration grace = spec.hasStopGracePeriodMs() ? Duration.ofMillis(spec.getStopGracePeriodMs()) : ctx.stopGrace;
    c.stop(signal > 0 ? signal : Signals.SIGTERM, grace);
  }

  private void advance(TaskState next, String message) {
    synchronized (this) {
      if (observed.getNumber() < next.getNumber()) {
        observed = next;
        ctx.statuses.report(taskId, status(next, message, 0).build());
      }
    }
  }

  /** Caller holds the lock. */
  private void report(TaskState state, String message, int exitCode) {
    if (observed.getNumber() >= state.getNumber()) {
      return;
    }
    observed = state;
    TaskStatus.Builder s = status(state, message, exitCode);
    if (state == TaskState.FAILED || state == TaskState.REJECTED) {
      s.setErr(message);
    }
    ctx.statuses.report(taskId, s.build());
  }

  private TaskStatus.Builder status(TaskState state, String message, int exitCode) {
    return TaskStatus.newBuilder()
        .setState(state)
        .setTimestampMs(ctx.clock.millis())
        .setMessage(message)
        .setExitCode(exitCode)
        .setContainerId(taskId);
  }
}
