package dev.orch.agent;

import dev.orch.agent.runtime.ContainerException;
import dev.orch.agent.runtime.ContainerRuntime;
import dev.orch.agent.runtime.ExecResult;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.HealthConfig;
import dev.orch.proto.ImageConfig;
import dev.orch.proto.TaskHealth;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one task's health check inside its container (through the runtime's exec, so in its
 * namespaces, cgroups and privileges), one check at a time, {@code interval} after the previous
 * one ended. Docker's rules: failures in the start period do not count unless a check has passed;
 * {@code retries} consecutive failures make the task unhealthy. Only changes are reported.
 */
final class HealthMonitor {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  static final int DEFAULT_RETRIES = 3;
  /** Output kept in the task status: enough to say why, small enough for the store. */
  static final int MAX_OUTPUT = 512;

  /** The check as it runs: the service's settings over the image's HEALTHCHECK over defaults. */
  record Settings(List<String> argv, Duration interval, Duration timeout, int retries, Duration startPeriod) {

    /** Empty when there is no check (none configured, or NONE). */
    static Optional<Settings> of(ContainerSpec spec, ImageConfig image) {
      HealthConfig s = spec.getHealthcheck();
      HealthConfig i = image.getHealthcheck();
      List<String> test = s.getTestCount() > 0 ? s.getTestList() : i.getTestList();
      if (test.isEmpty() || test.get(0).equals("NONE")) {
        return Optional.empty();
      }
      List<String> argv = new ArrayList<>();
      if (test.get(0).equals("CMD-SHELL")) {
        argv.addAll(List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size()))));
      } else {
        argv.addAll(test.subList(test.get(0).equals("CMD") ? 1 : 0, test.size()));
      }
      if (argv.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Settings(argv,
          millis(s.getIntervalMs(), i.getIntervalMs(), DEFAULT_INTERVAL),
          millis(s.getTimeoutMs(), i.getTimeoutMs(), DEFAULT_TIMEOUT),
          s.getRetries() > 0 ? s.getRetries() : i.getRetries() > 0 ? i.getRetries() : DEFAULT_RETRIES,
          millis(s.getStartPeriodMs(), i.getStartPeriodMs(), Duration.ZERO)));
    }

    private static Duration millis(long service, long image, Duration fallback) {
      return service > 0 ? Duration.ofMillis(service) : image > 0 ? Duration.ofMillis(image) : fallback;
    }
  }

  /** Told about changes, on a health-check thread. */
  interface Listener {
    void healthChanged(TaskHealth health, String output);

    /** {@code retries} checks failed in a row: the task must fail. No further checks run. */
    void unhealthy(String output);
  }

  private final String containerId;
  private final Settings settings;
  private final ContainerRuntime runtime;
  private final ScheduledExecutorService checks;
  private final Clock clock;
  private final Listener listener;
  private final long startedAtMs;
  private TaskHealth health;
  private boolean passedOnce;
  private int failures;
  private ScheduledFuture<?> next;
  private boolean stopped;

  /**
   * @param health what the task's status says now (STARTING for a new container; a re-attached
   *     one keeps what it had)
   * @param startedAtMs when the container started, for the start period
   */
  HealthMonitor(String containerId, Settings settings, TaskHealth health, long startedAtMs, ContainerRuntime runtime,
      ScheduledExecutorService checks, Clock clock, Listener listener) {
    this.containerId = containerId;
    this.settings = settings;
    this.health = health;
    this.passedOnce = health == TaskHealth.HEALTH_HEALTHY;
    this.startedAtMs = startedAtMs;
    this.runtime = runtime;
    this.checks = checks;
    this.clock = clock;
    this.listener = listener;
  }

  synchronized void start() {
    schedule();
  }

  synchronized void stop() {
    stopped = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  private void schedule() {
    if (!stopped) {
      next = checks.schedule(this::check, settings.interval().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void check() {
    ExecResult r;
    try {
      r = runtime.check(containerId, settings.argv(), settings.timeout());
    } catch (ContainerException e) {
      r = new ExecResult(-1, e.getMessage(), false);
    }
    synchronized (this) {
      if (stopped) {
        return;
      }
      String output = cut(r.timedOut() ? "health check timed out after " + settings.timeout() + "; " + r.output()
          : r.output());
      if (r.exitCode() == 0 && !r.timedOut()) {
        passedOnce = true;
        failures = 0;
        change(TaskHealth.HEALTH_HEALTHY, "");
      } else if (passedOnce || clock.millis() - startedAtMs >= settings.startPeriod().toMillis()) {
        failures++;
        if (failures >= settings.retries()) {
          stopped = true;
          health = TaskHealth.HEALTH_UNHEALTHY;
          listener.unhealthy("exit code " + r.exitCode() + (output.isEmpty() ? "" : ": " + output));
          return;
        }
      }
      schedule();
    }
  }

  private void change(TaskHealth now, String output) {
    if (now != health) {
      health = now;
      listener.healthChanged(now, output);
    }
  }

  private static String cut(String output) {
    String s = output.strip();
    return s.length() <= MAX_OUTPUT ? s : s.substring(0, MAX_OUTPUT) + "...";
  }
}
