package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * --mount on one real node: a named volume keeps what a task wrote for its replacement and
 * cannot be removed while mounted; bind mounts of a missing path or of the node's own state are
 * refused with the reason; a tmpfs is mounted with its size; volume ls/inspect/rm/prune.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MountsSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private SingleNode orch;

  @BeforeAll
  void startNode() throws Exception {
    RootOnly.require("the mounts system test");
    orch = new SingleNode(tmp.resolve("data"));
    SingleNode.Ctl r = orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString());
    assertEquals(0, r.exit(), r.err());
  }

  @AfterAll
  void stopNode() {
    if (orch != null) {
      for (String s : List.of("vol", "tmp", "bind")) {
        orch.ctl("service", "rm", s);
      }
      orch.close();
    }
  }

  private String log(Task t) throws IOException {
    return orch.logText(t);
  }

  private SingleNode.Ctl ok(String... args) {
    SingleNode.Ctl r = orch.ctl(args);
    assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
    return r;
  }

  @Test
  @Order(1)
  void aNamedVolumeOutlivesItsTaskAndCannotBeRemovedWhileMounted() throws Exception {
    ok("service", "create", "-d", "--name", "vol", "--restart-delay", "0s",
        "--mount", "type=volume,src=appdata,dst=/data", "busybox",
        "sh", "-c", "echo seen: $(cat /data/mark 2>/dev/null); echo $HOSTNAME >> /data/mark; sleep 100000");
    await().atMost(CONVERGE).until(() -> orch.running("vol").size() == 1);
    Task first = orch.running("vol").get(0);
    await().atMost(CONVERGE).until(() -> log(first).contains("seen:"));
    assertEquals("seen:\n", log(first), "a new volume starts empty");

    SingleNode.Ctl rm = orch.ctl("volume", "rm", "appdata");
    assertEquals(1, rm.exit());
    assertTrue(rm.err().contains("volume appdata is in use by the container of task " + first.getMeta().getId()), rm.err());

    Kernel.kill9(Kernel.onlyChild(first.getStatus().getPid()));
    await().atMost(CONVERGE).until(() -> orch.running("vol").stream()
        .anyMatch(t -> !t.getMeta().getId().equals(first.getMeta().getId())));
    Task second = orch.running("vol").get(0);
    assertNotEquals(first.getMeta().getId(), second.getMeta().getId());
    await().atMost(CONVERGE).until(() -> log(second).contains("seen:"));
    String firstHost = first.getMeta().getId().substring(0, 12);
    assertEquals("seen: " + firstHost + "\n", log(second), "the replacement reads what the first task wrote");

    String ls = ok("volume", "ls").out();
    assertTrue(ls.contains("appdata"), ls);
    String inspect = ok("volume", "inspect", "appdata").out();
    assertTrue(inspect.contains(orch.dataDir.resolve("worker/volumes/appdata/_data").toString()), inspect);
    assertTrue(inspect.contains(second.getMeta().getId()), inspect);
  }

  @Test
  @Order(2)
  void aTmpfsIsMountedWithItsSize() throws IOException {
    ok("service", "create", "-d", "--name", "tmp", "--mount", "type=tmpfs,dst=/scratch,tmpfs-size=1m", "busybox",
        "sh", "-c", "grep ' /scratch ' /proc/mounts; sleep 100000");
    await().atMost(CONVERGE).until(() -> orch.running("tmp").size() == 1);
    Task t = orch.running("tmp").get(0);
    await().atMost(CONVERGE).until(() -> log(t).contains("/scratch"));
    String line = log(t).strip();
    assertTrue(line.startsWith("tmpfs /scratch tmpfs rw,nosuid,nodev") && line.contains("size=1024k"), line);
  }

  @Test
  @Order(3)
  void bindMountsOfMissingPathsOrOfTheNodesStateAreRejectedWithTheReason() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    Files.writeString(shared.resolve("hello"), "from the host\n");
    ok("service", "create", "-d", "--name", "bind", "--mount", "type=bind,src=" + shared + ",dst=/srv,readonly",
        "busybox", "sh", "-c", "cat /srv/hello; touch /srv/x || echo read-only; sleep 100000");
    await().atMost(CONVERGE).until(() -> orch.running("bind").size() == 1);
    Task t = orch.running("bind").get(0);
    await().atMost(CONVERGE).until(() -> log(t).contains("read-only"));
    assertTrue(log(t).startsWith("from the host\n"), log(t));

    assertEquals("bind source path /nonexistent/dir does not exist on this node",
        rejection("bind", "type=bind,src=/nonexistent/dir,dst=/x").split(":")[1].strip());
    String state = rejection("bind", "type=bind,src=" + orch.dataDir.resolve("worker") + ",dst=/x");
    assertTrue(state.contains("inside this node's data directory"), state);
  }

  /** Updates {@code svc} to also mount {@code mount} on /x; the reason its new task was rejected. */
  private String rejection(String svc, String mount) {
    ok("service", "update", "-d", "--mount-add", mount, svc);
    String source = mount.split("src=")[1].split(",")[0];
    await().atMost(CONVERGE).until(() -> rejected(svc, source).isPresent());
    return rejected(svc, source).get().getStatus().getErr();
  }

  private Optional<Task> rejected(String svc, String source) {
    return orch.tasks(svc).stream().filter(t -> t.getStatus().getState() == TaskState.REJECTED
        && t.getSpec().getContainer().getMountsList().stream().anyMatch(m -> m.getSource().equals(source))).findFirst();
  }

  @Test
  @Order(4)
  void unusedVolumesAreRemovedAndPruned() {
    ok("service", "rm", "vol");
    await().atMost(CONVERGE).until(() -> orch.ctl("volume", "inspect", "appdata").out().contains("\"usedByTasks\": []"));
    assertEquals("appdata\n", ok("volume", "rm", "appdata").out());
    assertTrue(ok("volume", "ls", "-q").out().isEmpty());
    SingleNode.Ctl noForce = orch.ctl("volume", "prune");
    assertEquals(2, noForce.exit());
    assertTrue(ok("volume", "prune", "--force").out().contains("Total reclaimed space"));
  }
}
