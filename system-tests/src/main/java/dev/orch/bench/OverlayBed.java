package dev.orch.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts made of network namespaces for overlay tests and benchmarks: an underlay namespace with a
 * bridge, "node" namespaces on it (192.168.77.N/24, eth0), "outside" hosts on the same underlay, and
 * "container" namespaces (plain namespaces are the kernel objects a container's network is). Every
 * namespace name starts with the bed's prefix; {@link #close} kills what the bed started and deletes
 * every namespace with the prefix, also ones a crashed earlier run left.
 */
public final class OverlayBed implements AutoCloseable {
  public static final String UNDERLAY_PREFIX = "192.168.77.";
  private final String prefix;
  private final List<Process> processes = new ArrayList<>();

  public OverlayBed(String prefix, int nodes) throws IOException {
    this.prefix = prefix;
    deleteAll();
    sh("ip", "netns", "add", ns("u"));
    List<String> u = new ArrayList<>(List.of("link set lo up", "link add ub type bridge", "link set ub up"));
    ipBatch(ns("u"), String.join("\n", u) + "\n");
    for (int i = 1; i <= nodes; i++) {
      host("n" + i, i);
    }
  }

  /** Adds a host on the underlay with address 192.168.77.{@code octet}. */
  public Path host(String name, int octet) throws IOException {
    sh("ip", "netns", "add", ns(name));
    ipBatch(ns("u"), "link add u" + name + " type veth peer name eth0 netns " + path(name) + "\n"
        + "link set u" + name + " master ub up\n");
    ipBatch(ns(name), "link set lo up\naddr add " + UNDERLAY_PREFIX + octet + "/24 dev eth0\n"
        + "link set eth0 up\n");
    return path(name);
  }

  /** An empty namespace (only lo) standing for a container. */
  public Path container(String name) throws IOException {
    sh("ip", "netns", "add", ns(name));
    return path(name);
  }

  public Path node(int i) {
    return path("n" + i);
  }

  public static String nodeAddress(int i) {
    return UNDERLAY_PREFIX + i;
  }

  public Path path(String name) {
    return Path.of("/run/netns", ns(name));
  }

  private String ns(String name) {
    return prefix + "-" + name;
  }

  /** Starts a TCP server in {@code netns} answering every connection with {@code reply}. */
  public void replyServer(Path netns, int port, String reply) throws IOException {
    start(netns, "busybox", "nc", "-ll", "-p", Integer.toString(port), "-e", "echo", reply);
  }

  /** Starts a long-running process in {@code netns}; it is killed on {@link #close}. */
  public Process start(Path netns, String... argv) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns));
    cmd.addAll(List.of(argv));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    processes.add(p);
    return p;
  }

  /** Runs a shell command line in {@code netns}; returns exit code and output. */
  public Result exec(Path netns, String script) throws IOException {
    return run(List.of("nsenter", "--net=" + netns, "sh", "-c", script), null);
  }

  public static Result run(List<String> cmd, String stdin) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + cmd);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return new Result(p.exitValue(), out);
  }

  public record Result(int code, String out) {}

  /** {@code ip -batch} in the named namespace. */
  private static void ipBatch(String nsName, String stdin) throws IOException {
    List<String> argv = List.of("ip", "-n", nsName, "-batch", "-");
    Result r = run(argv, stdin);
    if (r.code() != 0) {
      throw new IOException(argv + " failed: " + r.out() + "\n" + stdin);
    }
  }

  private static void sh(String... argv) throws IOException {
    Result r = run(List.of(argv), null);
    if (r.code() != 0) {
      throw new IOException(String.join(" ", argv) + " failed: " + r.out());
    }
  }

  private void deleteAll() throws IOException {
    Path dir = Path.of("/run/netns");
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) {
        if (p.getFileName().toString().startsWith(prefix + "-")) {
          run(List.of("ip", "netns", "pids", p.getFileName().toString()), null).out().lines()
              .forEach(pid -> ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly));
          run(List.of("ip", "netns", "del", p.getFileName().toString()), null);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    deleteAll();
  }
}
