package dev.orch.agent.runtime;

import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v1: one directory per controller hierarchy, {@code <mount>/<scope>/<id>}. Controllers
 * mounted together (for example {@code cpu,cpuacct}) share one directory.
 */
public final class CgroupsV1 implements Cgroups {

  /**
   * memory, cpu and pids carry limits; cpuacct is joined so usage can be read later; devices
   * holds the device allow-list.
   */
  static final Set<String> CONTROLLERS = Set.of("memory", "cpu", "cpuacct", "pids", "devices");

  /**
   * Docker's device allow-list: the harmless character devices of the minimal /dev, terminals,
   * and mknod (not use) of anything; everything else is refused even to a process that has or
   * makes a node for it.
   */
  static final List<String> ALLOWED_DEVICES = List.of("c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
      "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm");

  private final Map<String, Path> mounts;
  private final String scope;

  /**
   * @param mounts controller name to the mount point of its hierarchy
   * @param scope node-scoped relative path, for example {@code orch/node-1}
   */
  public CgroupsV1(Map<String, Path> mounts, String scope) {
    this.mounts = Map.copyOf(mounts);
    this.scope = scope;
  }

  @Override
  public String version() {
    return "v1";
  }

  @Override
  public List<Path> create(String id, ResourceLimits limits) throws IOException {
    List<Path> procs = new ArrayList<>();
    for (Path dir : dirs(id)) {
      Files.createDirectories(dir);
      procs.add(dir.resolve("cgroup.procs"));
    }
    if (limits.memoryBytes() > 0) {
      write(dir("memory", id).resolve("memory.limit_in_bytes"), limits.memoryBytes());
    }
    if (limits.nanoCpus() > 0 && mounts.containsKey("cpu")) {
      write(dir("cpu", id).resolve("cpu.cfs_period_us"), CPU_PERIOD_US);
      write(dir("cpu", id).resolve("cpu.cfs_quota_us"), Cgroups.cpuQuotaUs(limits.nanoCpus()));
    }
    write(dir("pids", id).resolve("pids.max"), Cgroups.pidsMax(limits));
    if (mounts.containsKey("devices")) {
      Path devices = dir("devices", id);
      Files.writeString(devices.resolve("devices.deny"), "a");
      for (String rule : ALLOWED_DEVICES) {
        Files.writeString(devices.resolve("devices.allow"), rule);
      }
    }
    return procs;
  }

  @Override
  public List<Path> procsFiles(String id) {
    return dirs(id).stream().map(d -> d.resolve("cgroup.procs")).toList();
  }

  @Override
  public Set<Long> pids(String id) throws IOException {
    Set<Long> pids = new LinkedHashSet<>();
    for (Path dir : dirs(id)) {
      try {
        for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
          if (!line.isBlank()) {
            pids.add(Long.parseLong(line.trim()));
          }
        }
      } catch (NoSuchFileException e) {
        // already removed from this hierarchy
      }
    }
    return pids;
  }

  @Override
  public void remove(String id) throws IOException {
    for (Path dir : dirs(id)) {
      Files.deleteIfExists(dir);
    }
  }

  @Override
  public void removeScope() throws IOException {
    for (Path mount : new LinkedHashSet<>(mounts.values())) {
      removeEmptyChain(mount, mount.resolve(scope));
    }
  }

  /** rmdir from {@code dir} up to (not including) {@code stop}; a busy cgroup ends the walk. */
  static void removeEmptyChain(Path stop, Path dir) throws IOException {
    for (Path d = dir; d != null && !d.equals(stop) && d.startsWith(stop); d = d.getParent()) {
      try {
        Files.deleteIfExists(d);
      } catch (java.nio.file.FileSystemException e) {
        return;
      }
    }
  }

  @Override
  public boolean exists(String id) {
    return dirs(id).stream().anyMatch(Files::isDirectory);
  }

  @Override
  public ResourceUsage usage(String id) throws IOException {
    long cpu = mounts.containsKey("cpuacct") ? Cgroups.readLong(dir("cpuacct", id).resolve("cpuacct.usage"), null) : 0;
    return new ResourceUsage(
        Cgroups.readLong(dir("memory", id).resolve("memory.usage_in_bytes"), null),
        cpu,
        Cgroups.readLong(dir("pids", id).resolve("pids.current"), null));
  }

  @Override
  public boolean oomKilled(String id) {
    try {
      for (String line : Files.readAllLines(dir("memory", id).resolve("memory.oom_control"))) {
        if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).trim()) > 0) {
          return true;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // older kernels lack the oom_kill counter: report "not known to be OOM-killed"
    }
    return false;
  }

  @Override
  public Path memoryLimitFile(String id) {
    return dir("memory", id).resolve("memory.limit_in_bytes");
  }

  Path dir(String controller, String id) {
    Path mount = mounts.get(controller);
    if (mount == null) {
      throw new IllegalStateException("cgroup v1 controller " + controller + " is not mounted");
    }
    return mount.resolve(scope).resolve(id);
  }

  private List<Path> dirs(String id) {
    Set<Path> dirs = new LinkedHashSet<>();
    for (String controller : List.of("memory", "cpu", "cpuacct", "pids", "devices")) {
      if (mounts.containsKey(controller)) {
        dirs.add(dir(controller, id));
      }
    }
    return List.copyOf(dirs);
  }

  private static void write(Path file, long value) throws IOException {
    Files.writeString(file, Long.toString(value));
  }
}
