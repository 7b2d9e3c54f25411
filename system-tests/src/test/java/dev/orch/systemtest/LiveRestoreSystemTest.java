package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live restore on the real runtime: orchd stops, containers keep running; one is killed while it
 * is down; orchd comes back, re-attaches to the others (same processes) and replaces the dead one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveRestoreSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(40);

  @TempDir static Path tmp;
  private SingleNode orch;

  @BeforeAll
  void startNode() throws Exception {
    RootOnly.require("the live restore system test");
    orch = new SingleNode(tmp.resolve("data"));
    assertEquals(0, orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString()).exit());
  }

  @AfterAll
  void stopNode() {
    if (orch != null) {
      orch.ctl("service", "rm", "keep");
      orch.close();
    }
  }

  @Test
  void restartReattachesAndNoticesExitsWhileAway() throws Exception {
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "keep", "--replicas", "5", "--restart-delay", "0s",
        "busybox", "sleep", "100000");
    assertEquals(0, r.exit(), r.err());
    await().atMost(CONVERGE).until(() -> orch.running("keep").size() == 5);
    Map<String, Integer> before = orch.running("keep").stream()
        .collect(Collectors.toMap(t -> t.getMeta().getId(), t -> t.getStatus().getPid()));

    orch.stop();
    String victim = before.keySet().iterator().next();
    Kernel.kill9(before.get(victim));
    await().atMost(CONVERGE).until(() -> !Files.exists(Path.of("/proc/" + before.get(victim))));
    orch.start();

    await().atMost(CONVERGE).until(() -> orch.running("keep").size() == 5
        && orch.running("keep").stream().noneMatch(t -> t.getMeta().getId().equals(victim)));
    Map<String, Integer> after = orch.running("keep").stream()
        .collect(Collectors.toMap(t -> t.getMeta().getId(), t -> t.getStatus().getPid()));
    for (var e : before.entrySet()) {
      if (!e.getKey().equals(victim)) {
        assertEquals(e.getValue(), after.get(e.getKey()), "task " + e.getKey() + " kept its container process");
        assertTrue(Files.exists(Path.of("/proc/" + e.getValue())), "process " + e.getValue() + " still runs");
      }
    }
    Task dead = orch.tasks("keep").stream().filter(t -> t.getMeta().getId().equals(victim)).findFirst().orElseThrow();
    assertEquals(TaskState.FAILED, dead.getStatus().getState());
    assertTrue(dead.getStatus().getErr().contains("signal 9"), dead.getStatus().getErr());
  }
}
