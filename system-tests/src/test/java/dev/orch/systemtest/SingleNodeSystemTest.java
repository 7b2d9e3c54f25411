package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end on one real node: orchctl → Control API → Raft store →
 * controllers → dispatcher → agent → real containers, and back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SingleNodeSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private SingleNode orch;
  private final Set<Integer> seenPids = new HashSet<>();
  private final Set<String> seenTaskIds = new HashSet<>();

  @BeforeAll
  void startNode() throws Exception {
    RootOnly.require("the single-node system test");
    orch = new SingleNode(tmp.resolve("data"));
    Path image = RootOnly.busyboxImage(tmp);
    SingleNode.Ctl r = orch.ctl("image", "import", image.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(orch.ctl("image", "ls").out().contains("busybox"), "image ls lists busybox");
  }

  @AfterAll
  void stopNode() {
    if (orch != null) {
      orch.ctl("service", "rm", "web");
      orch.close();
    }
  }

  @Test
  @Order(1)
  void createsFiveRealContainers() throws IOException {
    // --restart-delay 0s: a killed task is replaced at once (the default waits 5 s, as docker does).
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "web", "--replicas", "5",
        "--limit-memory", "64M", "--restart-delay", "0s", "busybox", "sleep", "100000");
    assertEquals(0, r.exit(), r.err());
    await().atMost(CONVERGE).until(() -> orch.running("web").size() == 5);
    List<Task> running = orch.running("web");
    assertEquals(Set.of(1L, 2L, 3L, 4L, 5L), running.stream().map(Task::getSlot).collect(Collectors.toSet()));
    Set<String> hostnames = new HashSet<>();
    for (Task t : running) {
      int pid = t.getStatus().getPid();
      seenPids.add(pid);
      seenTaskIds.add(t.getMeta().getId());
      assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")),
          Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")), "own pid namespace");
      assertEquals("1", Kernel.innermostPid(pid), "the container's first process is PID 1 inside");
      hostnames.add(Kernel.hostnameOf(pid));
      assertEquals(64L << 20, Kernel.memoryLimit(pid), "memory limit in the container's cgroup");
    }
    assertEquals(5, hostnames.size(), "each container has its own hostname: " + hostnames);
    assertTrue(orch.ctl("service", "ps", "web").out().contains("Running"));
  }

  @Test
  @Order(2)
  void replacesAKilledContainerInTheSameSlot() throws Exception {
    Task victim = orch.running("web").stream().filter(t -> t.getSlot() == 3).findFirst().orElseThrow();
    int workload = Kernel.onlyChild(victim.getStatus().getPid());
    Kernel.kill9(workload);
    await().atMost(CONVERGE).until(() -> orch.running("web").stream()
        .anyMatch(t -> t.getSlot() == 3 && !t.getMeta().getId().equals(victim.getMeta().getId())));
    Task dead = orch.tasks("web").stream().filter(t -> t.getMeta().getId().equals(victim.getMeta().getId()))
        .findFirst().orElseThrow();
    assertEquals("FAILED", dead.getStatus().getState().name());
    assertTrue(dead.getStatus().getErr().contains("signal 9"), dead.getStatus().getErr());
    assertEquals(5, orch.running("web").size());
  }

  @Test
  @Order(3)
  void scalesUpAndDownByHighestSlots() {
    assertEquals(0, orch.ctl("service", "scale", "web=8").exit());
    await().atMost(CONVERGE).until(() -> orch.running("web").size() == 8);
    orch.running("web").forEach(t -> seenPids.add(t.getStatus().getPid()));
    assertEquals(0, orch.ctl("service", "scale", "web=2").exit());
    await().atMost(CONVERGE).until(() -> orch.running("web").size() == 2
        && orch.tasks("web").stream().noneMatch(t -> t.getStatus().getState().getNumber() < 7 && t.getSlot() > 2));
    assertEquals(Set.of(1L, 2L), orch.running("web").stream().map(Task::getSlot).collect(Collectors.toSet()));
  }

  @Test
  @Order(4)
  void restartKeepsServicesAndTasks() throws IOException {
    Set<String> before = orch.running("web").stream().map(t -> t.getMeta().getId()).collect(Collectors.toSet());
    orch.restart();
    assertTrue(orch.ctl("service", "ls").out().contains("web"));
    await().atMost(CONVERGE).until(() -> orch.running("web").size() == 2);
    Set<String> after = orch.running("web").stream().map(t -> t.getMeta().getId()).collect(Collectors.toSet());
    assertEquals(before, after, "the same tasks keep running across an orchd restart");
  }

  @Test
  @Order(5)
  void badInputIsRefusedClearlyAndChangesNothing() throws IOException {
    String servicesBefore = orch.ctl("service", "ls", "--format", "json").out();
    // An image that is neither imported nor reachable: a registry on a loopback port where nothing
    // listens (a name without a registry would send the test to Docker Hub).
    expectError(orch.ctl("service", "create", "--name", "x1", "127.0.0.1:1/nosuchimage"),
        "cannot reach registry 127.0.0.1:1");
    expectError(orch.ctl("service", "create", "--name", "x2", "--replicas", "-1", "busybox"), "--replicas");
    expectError(orch.ctl("service", "create", "--name", "x3", "--replicas", "abc", "busybox"), "--replicas");
    expectError(orch.ctl("service", "create", "--name", "web", "busybox", "sleep", "1"), "already in use");
    expectError(orch.ctl("service", "create", "--name", "x4", "--limit-memory", "12X", "busybox"), "--limit-memory");
    expectError(orch.ctlAt("127.0.0.1:" + SingleNode.freePort(), "service", "ls"), "cannot reach");
    assertEquals(servicesBefore, orch.ctl("service", "ls", "--format", "json").out());
  }

  private static void expectError(SingleNode.Ctl r, String mentions) {
    assertNotEquals(0, r.exit(), "exit code");
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), "exactly one line: " + err);
    assertTrue(err.startsWith("error:") && err.contains(mentions), err);
  }

  @Test
  @Order(6)
  void removeLeavesNoProcessCgroupMountOrNamespace() throws Exception {
    orch.running("web").forEach(t -> seenPids.add(t.getStatus().getPid()));
    orch.tasks("web").forEach(t -> seenTaskIds.add(t.getMeta().getId()));
    assertEquals(0, orch.ctl("service", "rm", "web").exit());
    await().atMost(CONVERGE).until(() -> orch.control()
        .listTasks(dev.orch.proto.ListTasksRequest.getDefaultInstance()).getTasksCount() == 0);
    for (int pid : seenPids) {
      assertFalse(Files.exists(Path.of("/proc/" + pid)), "process " + pid + " is gone");
    }
    try (Stream<String> cgroups = Kernel.cgroupDirs(orch.identity.nodeId())) {
      assertEquals(List.of(), cgroups.filter(d -> seenTaskIds.stream().anyMatch(d::contains)).toList());
    }
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    for (String id : seenTaskIds) {
      assertFalse(mounts.contains(id), "no mount of container " + id);
    }
  }
}
