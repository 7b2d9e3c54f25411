package dev.orch.agent.runtime;

import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cgroups of this node's containers, under a node-scoped path (for example {@code
 * orch/<nodeId>}) so that several agents on one machine never share a cgroup.
 */
public interface Cgroups {

  /** Period used for CPU quotas, as Docker does: 100 ms. */
  long CPU_PERIOD_US = 100_000;

  /** pids.max when the task does not set one: a fork bomb stops here instead of at the host's limit. */
  long DEFAULT_PIDS_MAX = 4096;

  /** "v1" or "v2". */
  String version();

  /**
   * Creates the container's cgroups and writes its limits.
   *
   * @return the files a process id is written to so the process joins every cgroup
   */
  List<Path> create(String id, ResourceLimits limits) throws IOException;

  /** The cgroup.procs files of the container's existing cgroups (for a process that joins later). */
  List<Path> procsFiles(String id);

  /** Host pids of the processes still in the container's cgroups. */
  Set<Long> pids(String id) throws IOException;

  /**
   * Removes the container's cgroups. Missing ones are fine; a cgroup that still holds processes
   * makes this throw (the kernel answers EBUSY), and the caller retries once they are gone.
   */
  void remove(String id) throws IOException;

  /**
   * Removes this node's scope directories once they hold no container cgroups (a node leaving the
   * machine, or a test cleaning up); directories still in use are left alone.
   */
  void removeScope() throws IOException;

  /** Whether any of the container's cgroup directories exists. */
  boolean exists(String id);

  /** Current memory, CPU and pids use of the container. */
  ResourceUsage usage(String id) throws IOException;

  /** Whether the kernel's OOM killer killed a process of the container. */
  boolean oomKilled(String id);

  /** The file holding the container's memory limit (v1 memory.limit_in_bytes, v2 memory.max). */
  Path memoryLimitFile(String id);

  /** CPU quota in microseconds per {@link #CPU_PERIOD_US} for a limit in nano-CPUs (1e9 = one CPU). */
  static long cpuQuotaUs(long nanoCpus) {
    // The kernel refuses quotas under 1 ms.
    return Math.max(1000, nanoCpus * CPU_PERIOD_US / 1_000_000_000L);
  }

  /** A cgroup file holding one number, or the value of one "key value" line of it. */
  static long readLong(Path file, String key) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String l = line.trim();
      if (key == null && !l.isEmpty()) {
        return l.equals("max") ? Long.MAX_VALUE : Long.parseLong(l);
      }
      if (key != null && l.startsWith(key + " ")) {
        return Long.parseLong(l.substring(key.length() + 1).trim());
      }
    }
    throw new IOException(file + " has no " + (key == null ? "value" : key));
  }

  static long pidsMax(ResourceLimits limits) {
    return limits.pids() > 0 ? limits.pids() : DEFAULT_PIDS_MAX;
  }

  /**
   * Detects the machine's layout: pure v2 when {@code /sys/fs/cgroup/cgroup.controllers} exists,
   * otherwise v1 controllers as mounted (the hybrid layout's empty v2 hierarchy is not used).
   */
  static Cgroups detect(String scope) throws IOException {
    Path root = Path.of("/sys/fs/cgroup");
    if (Files.exists(root.resolve("cgroup.controllers"))) {
      return new CgroupsV2(root, scope);
    }
    Map<String, Path> mounts = v1Mounts(Files.readAllLines(Path.of("/proc/self/mountinfo")));
    if (!mounts.containsKey("memory") || !mounts.containsKey("pids")) {
      throw new IOException("no usable cgroup hierarchy: neither cgroup v2 at " + root
          + " nor cgroup v1 memory and pids controllers are mounted");
    }
    return new CgroupsV1(mounts, scope);
  }

  /** Mount points of the v1 controllers orch uses, from /proc/self/mountinfo lines. */
  static Map<String, Path> v1Mounts(List<String> mountinfo) {
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (MountInfo.Mount m : MountInfo.parse(mountinfo)) {
      if (!m.fsType().equals("cgroup")) {
        continue;
      }
      for (String opt : m.superOptions().split(",")) {
        if (CgroupsV1.CONTROLLERS.contains(opt)) {
          mounts.putIfAbsent(opt, m.mountPoint());
        }
      }
    }
    return mounts;
  }
}
