package dev.orch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A machine crash of one test-bed node, as the fault benches make it: every process whose command
 * line names the node's directory (its daemons and their helpers) and every process in the node's
 * container cgroups, killed with one {@code kill -9}.
 */
final class NodeCrash {
  private NodeCrash() {}

  /**
   * The processes to kill: command line containing {@code marker}, or member of a cgroup below
   * one of {@code cgroupParents} (missing parents are skipped). This process is never one of them.
   */
  static List<String> victims(String marker, List<Path> cgroupParents) throws IOException {
    Set<String> victims = new LinkedHashSet<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
        try {
          if (Files.readString(p.resolve("cmdline")).replace('\0', ' ').contains(marker)) {
            victims.add(p.getFileName().toString());
          }
        } catch (IOException gone) {
          // ended while we looked
        }
      }
    }
    victims.addAll(cgroupMembers(cgroupParents));
    victims.remove(Long.toString(ProcessHandle.current().pid()));
    return new ArrayList<>(victims);
  }

  /** The processes in the cgroups below {@code cgroupParents}: none once a node's containers are gone. */
  static Set<String> cgroupMembers(List<Path> cgroupParents) {
    Set<String> members = new LinkedHashSet<>();
    cgroupParents.forEach(parent -> collect(parent, members));
    return members;
  }

  private static void collect(Path cgroup, Set<String> members) {
    try {
      Files.readAllLines(cgroup.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank()).forEach(members::add);
      List<Path> children;
      try (var list = Files.list(cgroup)) {
        children = list.filter(Files::isDirectory).toList();
      }
      children.forEach(c -> collect(c, members));
    } catch (IOException | java.io.UncheckedIOException gone) {
      // absent, or removed while we looked: no processes there
    }
  }

  /**
   * Records a cgroup scope (e.g. {@code orch/NODE_ID}) in the test-bed node's {@code cgroups} file,
   * so that {@code testbed down} kills what is left in it and removes it.
   */
  static void recordCgroup(Path testbedNodeDir, String scope) throws IOException {
    Files.writeString(testbedNodeDir.resolve("cgroups"), scope + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** {@code kill -9} of all of them at once (one signal each, no gap between them beyond the loop). */
  static void kill(List<String> pids) throws IOException, InterruptedException {
    if (pids.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("kill", "-9"));
    cmd.addAll(pids);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("kill -9 timed out");
    }
  }
}
