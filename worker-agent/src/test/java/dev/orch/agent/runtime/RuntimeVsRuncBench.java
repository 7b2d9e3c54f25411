package dev.orch.agent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * orch's runtime beside {@code runc run} on the same rootfs (the unpacked busybox layer, read-only),
 * 64 MiB memory limit for both: the time from the start call until {@code /bin/true} in the new
 * container has exited, runs alternating between the two. Needs root; run by
 * {@code deploy/bin/orch-bench-vs-runc [--runs N] [--runc PATH]}.
 */
public final class RuntimeVsRuncBench {

  private RuntimeVsRuncBench() {}

  public static void main(String[] args) throws Exception {
    int runs = 200;
    String runc = "/usr/sbin/runc";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--runc" -> runc = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --runs N, --runc PATH");
      }
    }
    Path dir = Files.createTempDirectory("orch-bench-runc");
    String scope = "orch-bench/" + ProcessHandle.current().pid();
    try {
      List<Path> layers = RuntimeStartBench.busyboxLayers(dir);
      if (layers.size() != 1) {
        throw new IllegalStateException("expected the one-layer busybox image, got " + layers.size() + " layers");
      }
      Path bundle = runcBundle(runc, dir.resolve("bundle"), layers.get(0));
      Path runcRoot = dir.resolve("runc-state");
      List<Double> orch = new ArrayList<>();
      List<Double> peer = new ArrayList<>();
      try (LinuxContainerRuntime runtime = new LinuxContainerRuntime(dir.resolve("state"), scope)) {
        RuntimeStartBench.warmUp(runtime, layers, dir);
        for (int i = 0; i < 5; i++) {
          runcOnce(runc, runcRoot, bundle, "warm-" + i);
        }
        for (int i = 0; i < runs; i++) {
          String id = "true-" + i;
          long t0 = System.nanoTime();
          runtime.start(RuntimeStartBench.config(id, layers, dir, "/bin/true")).exited().get();
          orch.add((System.nanoTime() - t0) / 1e6);
          runtime.remove(id);
          peer.add(runcOnce(runc, runcRoot, bundle, id));
        }
        runtime.cgroups().removeScope();
      }
      String version = new String(new ProcessBuilder(runc, "--version").start().getInputStream().readAllBytes(),
          StandardCharsets.UTF_8).lines().findFirst().orElse("runc");
      System.out.printf(Locale.ROOT, "%d runs each, alternating; start -> /bin/true exited, ms%n", runs);
      System.out.printf(Locale.ROOT, "orch runtime : p50 %.2f  p99 %.2f  max %.2f%n", pct(orch, 50), pct(orch, 99),
          pct(orch, 100));
      System.out.printf(Locale.ROOT, "%-13s: p50 %.2f  p99 %.2f  max %.2f%n", version, pct(peer, 50), pct(peer, 99),
          pct(peer, 100));
      System.out.printf(Locale.ROOT, "orch / runc  : p50 %.2f  p99 %.2f%n", pct(orch, 50) / pct(peer, 50),
          pct(orch, 99) / pct(peer, 99));
    } finally {
      LinuxContainerRuntime.deleteTree(dir);
    }
  }

  /** {@code runc run} in the foreground: create, start, wait for the exit, delete; milliseconds. */
  private static double runcOnce(String runc, Path root, Path bundle, String id) throws Exception {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(runc, "--root", root.toString(), "run", "--bundle", bundle.toString(), id)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    double ms = (System.nanoTime() - t0) / 1e6;
    if (rc != 0) {
      throw new IllegalStateException("runc run " + id + " exited " + rc + ": " + out.trim());
    }
    return ms;
  }

  /** {@code runc spec}'s default bundle, changed to run /bin/true on the layer, read-only, 64 MiB. */
  private static Path runcBundle(String runc, Path bundle, Path rootfs) throws Exception {
    Files.createDirectories(bundle);
    Process p = new ProcessBuilder(runc, "spec").directory(bundle.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("runc spec failed: " + out.trim());
    }
    ObjectMapper json = new ObjectMapper();
    Path config = bundle.resolve("config.json");
    ObjectNode spec = (ObjectNode) json.readTree(config.toFile());
    ObjectNode process = (ObjectNode) spec.get("process");
    process.put("terminal", false);
    process.putArray("args").add("/bin/true");
    process.putArray("env").add("PATH=/bin");
    ObjectNode root = (ObjectNode) spec.get("root");
    root.put("path", rootfs.toString());
    root.put("readonly", true);
    ((ObjectNode) spec.get("linux")).putObject("resources").putObject("memory").put("limit", 64L << 20);
    json.writeValue(config.toFile(), spec);
    return bundle;
  }

  private static double pct(List<Double> xs, double p) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(Math.max((int) Math.ceil(p / 100 * s.size()), 1) - 1);
  }
}
