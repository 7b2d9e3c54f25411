package dev.orch.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Reads what the kernel says about a container process, independently of orch's own code. */
final class Kernel {
  private Kernel() {}

  /** The pid of {@code pid} in its innermost pid namespace (the last NSpid field). */
  static String innermostPid(int pid) throws IOException {
    String line = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(l -> l.startsWith("NSpid:")).findFirst().orElseThrow();
    String[] f = line.trim().split("\\s+");
    return f[f.length - 1];
  }

  static String hostnameOf(int pid) throws IOException {
    return run("nsenter", "-t", Integer.toString(pid), "-u", "cat", "/proc/sys/kernel/hostname").strip();
  }

  /** The memory limit of the cgroup {@code pid} is in, on cgroup v1 or v2. */
  static long memoryLimit(int pid) throws IOException {
    return cgroupNumber(pid, "memory", "memory.limit_in_bytes", "memory.max");
  }

  /** Processes and threads in the cgroup of {@code pid}. */
  static long pidsCurrent(int pid) throws IOException {
    return cgroupNumber(pid, "pids", "pids.current", "pids.current");
  }

  /** A one-number file of the cgroup of {@code pid}: the v1 controller's file, or the v2 file. */
  static long cgroupNumber(int pid, String v1Controller, String v1File, String v2File) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
      String[] f = line.split(":", 3);
      if (f[1].equals(v1Controller)) {
        return Long.parseLong(Files.readString(Path.of("/sys/fs/cgroup/" + v1Controller + f[2], v1File)).strip());
      }
      if (f[0].equals("0") && f[1].isEmpty() && Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
        return Long.parseLong(Files.readString(Path.of("/sys/fs/cgroup" + f[2], v2File)).strip());
      }
    }
    throw new IOException("no " + v1Controller + " cgroup for pid " + pid);
  }

  /** The single child of {@code pid}: the workload under the container's init. */
  static int onlyChild(int pid) throws IOException {
    String children = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
    if (children.isEmpty() || children.contains(" ")) {
      throw new IOException("expected one child of " + pid + ", got [" + children + "]");
    }
    return Integer.parseInt(children);
  }

  static void kill9(int pid) throws IOException, InterruptedException {
    if (new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor() != 0) {
      throw new IOException("kill -9 " + pid + " failed");
    }
  }

  /** Every cgroup directory below any hierarchy's orch/NODE scope. */
  static Stream<String> cgroupDirs(String nodeId) throws IOException {
    Stream.Builder<String> out = Stream.builder();
    try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
      for (Path root : roots.toList()) {
        for (Path scope : new Path[] {root.resolve("orch").resolve(nodeId), Path.of("/sys/fs/cgroup/orch", nodeId)}) {
          if (Files.isDirectory(scope)) {
            try (Stream<Path> dirs = Files.list(scope)) {
              dirs.filter(Files::isDirectory).forEach(d -> out.add(d.toString()));
            }
          }
        }
      }
    }
    return out.build().distinct();
  }

  static String run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    try {
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out;
  }
}
