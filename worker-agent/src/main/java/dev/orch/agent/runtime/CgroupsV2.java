package dev.orch.agent.runtime;

import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * cgroup v2: one directory {@code <root>/<scope>/<id>}. The controllers must be enabled in
 * {@code cgroup.subtree_control} of every ancestor; the scope directories hold no processes, so
 * the "no internal processes" rule never gets in the way.
 */
public final class CgroupsV2 implements Cgroups {

  private static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids");

  private final Path root;
  private final String scope;

  /**
   * @param root the cgroup2 mount point, normally {@code /sys/fs/cgroup}
   * @param scope node-scoped relative path, for example {@code orch/node-1}
   */
  public CgroupsV2(Path root, String scope) {
    this.root = root;
    this.scope = scope;
  }

  @Override
  public String version() {
    return "v2";
  }

  @Override
  public List<Path> create(String id, ResourceLimits limits) throws IOException {
    Path dir = dir(id);
    Path current = root;
    for (Path part : root.relativize(dir.getParent())) {
      enableControllers(current);
      current = current.resolve(part);
      Files.createDirectories(current);
    }
    enableControllers(current);
    Files.createDirectories(dir);
    if (limits.memoryBytes() > 0) {
      Files.writeString(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
    }
    if (limits.nanoCpus() > 0) {
      Files.writeString(dir.resolve("cpu.max"), Cgroups.cpuQuotaUs(limits.nanoCpus()) + " " + CPU_PERIOD_US);
    }
    Files.writeString(dir.resolve("pids.max"), Long.toString(Cgroups.pidsMax(limits)));
    return List.of(dir.resolve("cgroup.procs"));
  }

  /** Enables for the children of {@code dir} those of our controllers that {@code dir} has. */
  private static void enableControllers(Path dir) throws IOException {
    Path available = dir.resolve("cgroup.controllers");
    Set<String> have = Files.exists(available)
        ? Set.of(Files.readString(available).trim().split("\\s+"))
        : Set.copyOf(CONTROLLERS); // a fresh directory on a test double: assume all
    Path subtree = dir.resolve("cgroup.subtree_control");
    String enabled = Files.exists(subtree) ? Files.readString(subtree) : "";
    for (String controller : CONTROLLERS) {
      if (have.contains(controller) && !Set.of(enabled.trim().split("\\s+")).contains(controller)) {
        Files.writeString(subtree, "+" + controller);
      }
    }
  }

  @Override
  public List<Path> procsFiles(String id) {
    return List.of(dir(id).resolve("cgroup.procs"));
  }

  @Override
  public Set<Long> pids(String id) throws IOException {
    Set<Long> pids = new LinkedHashSet<>();
    try {
      for (String line : Files.readAllLines(dir(id).resolve("cgroup.procs"))) {
        if (!line.isBlank()) {
          pids.add(Long.parseLong(line.trim()));
        }
      }
    } catch (NoSuchFileException e) {
      // already removed
    }
    return pids;
  }

  @Override
  public void remove(String id) throws IOException {
    Files.deleteIfExists(dir(id));
  }

  @Override
  public void removeScope() throws IOException {
    CgroupsV1.removeEmptyChain(root, root.resolve(scope));
  }

  @Override
  public boolean exists(String id) {
    return Files.isDirectory(dir(id));
  }

  @Override
  public ResourceUsage usage(String id) throws IOException {
    Path dir = dir(id);
    return new ResourceUsage(
        Cgroups.readLong(dir.resolve("memory.current"), null),
        Cgroups.readLong(dir.resolve("cpu.stat"), "usage_usec") * 1000,
        Cgroups.readLong(dir.resolve("pids.current"), null));
  }

  @Override
  public boolean oomKilled(String id) {
    try {
      for (String line : Files.readAllLines(dir(id).resolve("memory.events"))) {
        if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).trim()) > 0) {
          return true;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no memory controller: not known to be OOM-killed
    }
    return false;
  }

  @Override
  public Path memoryLimitFile(String id) {
    return dir(id).resolve("memory.max");
  }

  Path dir(String id) {
    return root.resolve(scope).resolve(id);
  }
}
