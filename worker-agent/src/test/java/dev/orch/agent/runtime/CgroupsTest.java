package dev.orch.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cgroup arithmetic and layout against plain directories standing in for cgroupfs. */
class CgroupsTest {

  @TempDir Path dir;

  @Test
  void findsV1ControllersInMountinfoIncludingCoMountedOnes() {
    List<String> mountinfo = List.of(
        "31 23 0:28 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755",
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:7 - cgroup cgroup rw,cpu,cpuacct",
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
    Map<String, Path> mounts = Cgroups.v1Mounts(mountinfo);
    assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), mounts.get("cpu"));
    assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), mounts.get("cpuacct"));
    assertEquals(Path.of("/sys/fs/cgroup/memory"), mounts.get("memory"));
    assertEquals(4, mounts.size());
  }

  @Test
  void convertsLimits() {
    assertEquals(50_000, Cgroups.cpuQuotaUs(500_000_000L));
    assertEquals(200_000, Cgroups.cpuQuotaUs(2_000_000_000L));
    assertEquals(1000, Cgroups.cpuQuotaUs(1), "the kernel's minimum quota");
    assertEquals(4096, Cgroups.pidsMax(new ResourceLimits(0, 0, 0)));
    assertEquals(100, Cgroups.pidsMax(new ResourceLimits(0, 0, 100)));
  }

  @Test
  void v1WritesLimitsIntoEachControllerOnce() throws Exception {
    Path cpu = dir.resolve("cpu,cpuacct");
    CgroupsV1 v1 = new CgroupsV1(Map.of("memory", dir.resolve("memory"), "cpu", cpu, "cpuacct", cpu,
        "pids", dir.resolve("pids")), "orch/n1");
    List<Path> procs = v1.create("c1", new ResourceLimits(64 << 20, 1_500_000_000L, 0));
    assertEquals(3, procs.size(), procs.toString());
    assertEquals("67108864", Files.readString(dir.resolve("memory/orch/n1/c1/memory.limit_in_bytes")));
    assertEquals("150000", Files.readString(cpu.resolve("orch/n1/c1/cpu.cfs_quota_us")));
    assertEquals("100000", Files.readString(cpu.resolve("orch/n1/c1/cpu.cfs_period_us")));
    assertEquals("4096", Files.readString(dir.resolve("pids/orch/n1/c1/pids.max")));
    assertEquals(dir.resolve("memory/orch/n1/c1/memory.limit_in_bytes"), v1.memoryLimitFile("c1"));
  }

  @Test
  void v2EnablesControllersDownTheScopeAndWritesLimits() throws Exception {
    Files.writeString(dir.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    CgroupsV2 v2 = new CgroupsV2(dir, "orch/n1");
    List<Path> procs = v2.create("c1", new ResourceLimits(1 << 30, 250_000_000L, 64));
    assertEquals(List.of(dir.resolve("orch/n1/c1/cgroup.procs")), procs);
    assertTrue(Files.readString(dir.resolve("cgroup.subtree_control")).startsWith("+"));
    assertTrue(Files.exists(dir.resolve("orch/n1/cgroup.subtree_control")));
    assertEquals("1073741824", Files.readString(dir.resolve("orch/n1/c1/memory.max")));
    assertEquals("25000 100000", Files.readString(dir.resolve("orch/n1/c1/cpu.max")));
    assertEquals("64", Files.readString(dir.resolve("orch/n1/c1/pids.max")));
    Files.writeString(dir.resolve("orch/n1/c1/memory.current"), "4096\n");
    Files.writeString(dir.resolve("orch/n1/c1/cpu.stat"), "usage_usec 1500\nuser_usec 1000\n");
    Files.writeString(dir.resolve("orch/n1/c1/pids.current"), "3\n");
    assertEquals(new ResourceUsage(4096, 1_500_000, 3), v2.usage("c1"));
    assertTrue(v2.exists("c1"));
    assertFalse(v2.exists("c2"));
  }
}
