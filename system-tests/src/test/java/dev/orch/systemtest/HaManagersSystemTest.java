package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three managers and two workers on the test bed: the managers form one Raft group; killing or
 * cutting off the leader costs the cluster an election, not its state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaManagersSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private TestBed bed;
  private final Set<Integer> managers = new HashSet<>(List.of(1, 2, 3));
  private final Map<String, Integer> indexOf = new HashMap<>();

  @BeforeAll
  void startCluster() throws Exception {
    RootOnly.require("the high-availability managers test");
    bed = new TestBed("orchha" + (ProcessHandle.current().pid() % 10000), 5);
    bed.orchd(1, "init", "--data-dir", "{data}", "--advertise-addr", "{addr}");
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.ctl("node", "ls").exit() == 0);
    String managerToken = bed.ctlOk("swarm", "join-token", "-q", "manager").strip();
    String workerToken = bed.ctlOk("swarm", "join-token", "-q", "worker").strip();
    for (int i = 2; i <= 3; i++) {
      bed.orchd(i, "join", "--token", managerToken, "--data-dir", "{data}", "--advertise-addr", "{addr}",
          bed.addr(1) + ":4242");
    }
    await().atMost(CONVERGE).ignoreExceptions().until(() -> reachableManagers(1) == 3);
    for (int i = 4; i <= 5; i++) {
      bed.orchd(i, "join", "--token", workerToken, "--data-dir", "{data}", "--advertise-addr", "{addr}",
          bed.addr(1) + ":4242");
    }
    await().atMost(CONVERGE).ignoreExceptions().until(() -> readyNodes(1) == 5);
    for (int i = 1; i <= 5; i++) {
      indexOf.put(bed.nodeIdOf(i), i);
    }
    bed.ctlOk("image", "import", RootOnly.busyboxImage(tmp).toString());
  }

  @AfterAll
  void stopCluster() throws IOException {
    if (bed != null) {
      bed.close();
    }
  }

  private List<JsonNode> json(int via, String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of(args));
    a.add("--format");
    a.add("json");
    TestBed.Result r = bed.ctlOn(via, a.toArray(String[]::new));
    if (r.exit() != 0) {
      throw new IOException("orchctl " + a + " via node " + via + ": " + r.err());
    }
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.out()).forEach(out::add);
    return out;
  }

  private long reachableManagers(int via) throws IOException {
    return json(via, "node", "ls").stream()
        .filter(n -> n.path("managerStatus").path("reachable").asBoolean()).count();
  }

  private long readyNodes(int via) throws IOException {
    return json(via, "node", "ls").stream()
        .filter(n -> "NODE_READY".equals(n.path("status").path("state").asText())).count();
  }

  private int leader(int via) throws IOException {
    for (JsonNode n : json(via, "node", "ls")) {
      if (n.path("managerStatus").path("leader").asBoolean()) {
        return indexOf.get(n.path("meta").path("id").asText());
      }
    }
    throw new IOException("no leader known to node " + via);
  }

  /** Slots with a running task; fails if any slot has two. */
  private Map<Long, Integer> runningSlots(int via, String svc) throws IOException {
    Map<Long, Integer> perSlot = new HashMap<>();
    for (JsonNode t : json(via, "service", "ps", svc)) {
      if ("RUNNING".equals(t.path("status").path("state").asText())
          && "RUNNING".equals(t.path("desiredState").asText())) {
        perSlot.merge(t.path("slot").asLong(), 1, Integer::sum);
      }
    }
    return perSlot;
  }

  private int survivor(int dead) {
    return managers.stream().filter(m -> m != dead).findFirst().orElseThrow();
  }

  @Test
  @Order(0)
  void execStatsVolumesAndLogsWorkThroughAFollower() throws IOException {
    bed.ctlOk("service", "create", "-d", "--name", "echo", "--constraint", "node.role==worker",
        "busybox", "sh", "-c", "echo started; sleep 100000");
    await().atMost(CONVERGE).ignoreExceptions().until(() -> runningSlots(1, "echo").size() == 1);
    int follower = survivor(leader(1));
    String task = json(follower, "service", "ps", "echo").stream()
        .filter(t -> "RUNNING".equals(t.path("status").path("state").asText()))
        .findFirst().orElseThrow().path("meta").path("id").asText();
    try {
      TestBed.Result exec = bed.ctlOn(follower, "exec", "-t", task, "--", "sh", "-c", "tty; exit 7");
      assertEquals(7, exec.exit(), exec.err() + exec.out());
      assertTrue(exec.out().startsWith("/dev/pts/"), exec.out());
      TestBed.Result stats = bed.ctlOn(follower, "stats", "--no-stream", "echo");
      assertEquals(0, stats.exit(), stats.err());
      assertTrue(stats.out().contains("echo.1"), stats.out());
      assertEquals(0, bed.ctlOn(follower, "volume", "ls").exit());
      await().atMost(CONVERGE).until(() -> bed.ctlOn(follower, "service", "logs", "echo").out().contains("started"));
    } finally {
      bed.ctlOk("service", "rm", "echo");
    }
  }

  @Test
  @Order(1)
  void killingTheLeaderWhileScalingCompletesTheScaleUnderANewLeader() throws IOException {
    bed.ctlOk("service", "create", "-d", "--name", "web", "--replicas", "5", "busybox", "sleep", "100000");
    await().atMost(CONVERGE).until(() -> runningSlots(1, "web").size() == 5);
    int old = leader(1);
    int via = survivor(old);
    assertEquals(0, bed.ctlOn(via, "service", "scale", "web=30").exit());
    bed.crash(old);
    managers.remove(old);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> leader(via) != old);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> {
      Map<Long, Integer> slots = runningSlots(via, "web");
      return slots.size() == 30 && slots.values().stream().allMatch(c -> c == 1);
    });
    // The crashed manager comes back and rejoins as a follower.
    bed.orchd(old, "run", "--data-dir", "{data}");
    managers.add(old);
    // Its Raft member is back before its Control API listens: wait for both.
    await().atMost(CONVERGE).ignoreExceptions().until(() -> reachableManagers(via) == 3 && reachableManagers(old) == 3);
  }

  @Test
  @Order(2)
  void aCutOffLeaderRefusesWritesWhileTheMajorityServes() throws IOException {
    int old = leader(survivor(0));
    int via = survivor(old);
    bed.run("partition", Integer.toString(old));
    await().atMost(CONVERGE).ignoreExceptions().until(() -> leader(via) != old);
    assertEquals(0, bed.ctlOn(via, "service", "scale", "web=12").exit(), "the majority serves writes");
    TestBed.Result refused = bed.ctlOn(old, "service", "scale", "web=40");
    assertNotEquals(0, refused.exit(), "the old leader refuses writes without a quorum");
    assertTrue(refused.err().startsWith("error:"), refused.err());
    bed.run("heal", Integer.toString(old));
    await().atMost(CONVERGE).ignoreExceptions().until(() -> reachableManagers(via) == 3 && leader(old) == leader(via));
    await().atMost(CONVERGE).ignoreExceptions().until(() -> {
      Map<Long, Integer> slots = runningSlots(old, "web");
      return slots.size() == 12 && slots.values().stream().allMatch(c -> c == 1);
    });
  }

  @Test
  @Order(3)
  void demoteAndPromoteChangeTheManagersSafely() throws IOException {
    int via = leader(1);
    int follower = managers.stream().filter(m -> m != via).findFirst().orElseThrow();
    String followerId = nodeIdOfIndex(follower);
    assertEquals(0, bed.ctlOn(via, "node", "demote", followerId).exit());
    managers.remove(follower);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> managerCount(via) == 2 && reachableManagers(via) == 2);
    // The demoted node carries on as a worker: it is Ready again under its new role.
    await().atMost(CONVERGE).ignoreExceptions().until(() -> readyNodes(via) == 5);
    String workerId = nodeIdOfIndex(4);
    assertEquals(0, bed.ctlOn(via, "node", "promote", workerId).exit());
    managers.add(4);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> managerCount(via) == 3 && reachableManagers(via) == 3);
    assertEquals(0, bed.ctlOn(4, "node", "ls").exit(), "the promoted node serves the Control API");
  }

  private long managerCount(int via) throws IOException {
    return json(via, "node", "ls").stream().filter(n -> "MANAGER".equals(n.path("spec").path("role").asText())).count();
  }

  private String nodeIdOfIndex(int i) {
    return indexOf.entrySet().stream().filter(e -> e.getValue() == i).map(Map.Entry::getKey).findFirst().orElseThrow();
  }
}
