package dev.orch.agent.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A started container. */
public interface Container {
  String id();

  /** Host pid of the container's first process (its PID 1). */
  int pid();

  /** Completes when the container's PID 1 has exited. */
  CompletableFuture<ExitStatus> exited();

  /** Sends SIGTERM, then SIGKILL after {@code grace}; returns without waiting. */
  default void stop(Duration grace) {
    stop(Signals.SIGTERM, grace);
  }

  /** Sends {@code signal} (to the container's init, which forwards it), then SIGKILL after {@code grace}. */
  void stop(int signal, Duration grace);

  /** Exit status of a container: the workload's exit code, or the signal that killed it. */
  record ExitStatus(int exitCode, int signal, String message) {
    public boolean success() {
      return exitCode == 0 && signal == 0;
    }
  }
}
