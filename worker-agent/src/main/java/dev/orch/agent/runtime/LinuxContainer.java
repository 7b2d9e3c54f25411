package dev.orch.agent.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A container handle. Signals go to the container's init (its PID 1 in the host's pid namespace),
 * never to the workload: the init forwards them, and SIGKILL of the init takes down the whole pid
 * namespace at once.
 */
final class LinuxContainer implements Container {

  private final String id;
  private final int pid;
  private final Optional<ProcessHandle> init;
  private final CompletableFuture<ExitStatus> exited;
  private final ScheduledExecutorService timer;

  /**
   * @param init the init's handle, which remembers its start time so a reused pid is never
   *     signalled; empty when the container is already gone
   */
  LinuxContainer(
      String id, int pid, Optional<ProcessHandle> init, CompletableFuture<ExitStatus> exited,
      ScheduledExecutorService timer) {
    this.id = id;
    this.pid = pid;
    this.init = init;
    this.exited = exited;
    this.timer = timer;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int pid() {
    return pid;
  }

  /** A copy, so that callers cannot complete the runtime's own future. */
  @Override
  public CompletableFuture<ExitStatus> exited() {
    return exited.copy();
  }

  CompletableFuture<ExitStatus> exitFuture() {
    return exited;
  }

  @Override
  public void stop(int signal, Duration grace) {
    if (exited.isDone() || init.isEmpty()) {
      return;
    }
    if (grace.isZero() || grace.isNegative() || signal == Signals.SIGKILL) {
      kill();
      return;
    }
    if (signal == Signals.SIGTERM) {
      init.get().destroy();
    } else {
      signal(signal);
    }
    ScheduledFuture<?> escalation = timer.schedule(this::kill, grace.toNanos(), TimeUnit.NANOSECONDS);
    exited.whenComplete((status, error) -> escalation.cancel(false));
  }

  /**
   * Java sends only SIGTERM and SIGKILL, so other signals go through kill(1); the handle is
   * checked first, so a pid reused after the init died is never signalled (the grace period's
   * SIGKILL follows either way).
   */
  private void signal(int signal) {
    if (!init.get().isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-" + signal, Integer.toString(pid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (java.io.IOException e) {
      init.get().destroy(); // no kill(1): SIGTERM rather than nothing
    }
  }

  /** SIGKILL to the init; the kernel then kills every process of the pid namespace. */
  void kill() {
    if (!exited.isDone()) {
      init.ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Override
  public String toString() {
    return "container " + id + " (pid " + pid + ")";
  }
}
