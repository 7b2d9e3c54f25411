package dev.orch.agent.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command inside a running container with {@code orch-shim exec}: it joins the
 * container's cgroups and namespaces and runs the command with the container's privileges. The
 * shim enforces the timeout (killing and reaping the command, which keeps the container's pid
 * namespace tidy); killing the shim from here is only the backstop for a shim that hangs.
 */
final class ContainerExec {

  /** Health-check output is for people reading a status line: more is dropped. */
  static final int MAX_OUTPUT = 64 * 1024;

  /** How long past the timeout a shim may take before it is killed from here. */
  private static final Duration BACKSTOP = Duration.ofSeconds(5);

  private final Path shim;
  private final ScheduledExecutorService timer;

  ContainerExec(Path shim, ScheduledExecutorService timer) {
    this.shim = shim;
    this.timer = timer;
  }

  /** Runs {@code argv} as {@code user} (the container's, so a probe sees what the workload sees). */
  ExecResult run(Target target, List<String> argv, List<String> env, String workdir, Duration timeout)
      throws IOException, ContainerException {
    ByteArrayOutputStream records = records(target, argv, env, workdir);
    record(records, "timeout_ms", Long.toString(Math.max(1, timeout.toMillis())));
    Process p = new ProcessBuilder(shim.toString(), "exec").start();
    ScheduledFuture<?> backstop = timer.schedule(
        p::destroyForcibly, timeout.plus(BACKSTOP).toNanos(), TimeUnit.NANOSECONDS);
    try {
      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write(records.toByteArray());
      }
      String output = readCapped(p.getInputStream());
      // The shim's own stderr holds at most a line, so reading it second cannot deadlock.
      String shimSays = readCapped(p.getErrorStream());
      int code = p.waitFor();
      boolean timedOut = shimSays.contains("timeout") || (backstop.isDone() && !backstop.isCancelled());
      return new ExecResult(code, output, timedOut);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ContainerException("interrupted while running " + argv, e);
    } finally {
      backstop.cancel(false);
    }
  }

  /**
   * Starts {@code argv} in the container without a timeout; the process's stdin reaches the
   * command, its stdout carries the command's merged output, its exit code is the command's.
   * With a {@code terminal} (else null) the command's stdin, stdout and stderr are a
   * pseudo-terminal of the container, its controlling terminal, and stdin is typed into it.
   */
  Process start(Target target, List<String> argv, List<String> env, String workdir, TerminalSize terminal)
      throws IOException, ContainerException {
    ByteArrayOutputStream framed = records(target, argv, env, workdir);
    if (terminal != null) {
      record(framed, "tty", terminal.rows() + " " + terminal.cols());
    }
    byte[] records = framed.toByteArray();
    Process p = new ProcessBuilder(shim.toString(), "exec", Integer.toString(records.length))
        .redirectErrorStream(true).start();
    p.getOutputStream().write(records);
    p.getOutputStream().flush();
    return p;
  }

  /**
   * The container a command joins.
   *
   * @param caps its capability set (hex mask as in its shim config; empty for the default)
   */
  record Target(long initPid, List<Path> cgroupProcs, String user, String caps) {}

  private static ByteArrayOutputStream records(Target target, List<String> argv, List<String> env, String workdir)
      throws ContainerException {
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    record(records, "pid", Long.toString(target.initPid()));
    if (!target.user().isEmpty()) {
      record(records, "user", target.user());
    }
    if (!target.caps().isEmpty()) {
      record(records, "caps", target.caps());
    }
    for (Path procs : target.cgroupProcs()) {
      record(records, "cgroup", procs.toString());
    }
    record(records, "workdir", workdir == null || workdir.isEmpty() ? "/" : workdir);
    for (String arg : argv) {
      record(records, "arg", arg);
    }
    for (String e : env) {
      record(records, "env", e);
    }
    return records;
  }

  private static String readCapped(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try (in) {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        out.write(buf, 0, Math.max(0, Math.min(n, MAX_OUTPUT - out.size())));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void record(ByteArrayOutputStream out, String key, String value) throws ContainerException {
    if (value.indexOf('\0') >= 0) {
      throw new ContainerException(key + " contains a NUL byte");
    }
    out.writeBytes((key + "=" + value).getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }
}
