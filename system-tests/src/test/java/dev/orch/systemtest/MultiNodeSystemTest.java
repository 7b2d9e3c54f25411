package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * One manager and three workers, each a real orchd in its own network namespace, joined with the
 * worker token over mutual TLS. Faults are real: drain, kill -9 of a node's processes, a cut link.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final Duration HEAL = Duration.ofSeconds(15);

  @TempDir static Path tmp;
  private TestBed bed;
  private final Map<String, Integer> nodeIndex = new HashMap<>();

  @BeforeAll
  void startCluster() throws Exception {
    RootOnly.require("the multi-node system test");
    bed = new TestBed("orchmt" + (ProcessHandle.current().pid() % 10000), 4);
    bed.orchd(1, "init", "--data-dir", "{data}", "--advertise-addr", "{addr}");
    await().atMost(CONVERGE).ignoreExceptions().until(() -> {
      TestBed.Result r = bed.ctl("node", "ls");
      if (r.exit() != 0) {
        System.out.println("waiting for the manager: " + r.err().strip());
      }
      return r.exit() == 0;
    });
    String token = bed.ctlOk("swarm", "join-token", "-q", "worker").strip();
    for (int i = 2; i <= 4; i++) {
      bed.orchd(i, "join", "--token", token, "--data-dir", "{data}", "--advertise-addr", "{addr}",
          bed.addr(1) + ":4242");
    }
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.readyNodes().size() == 4);
    for (int i = 1; i <= 4; i++) {
      nodeIndex.put(bed.nodeIdOf(i), i);
    }
    Path image = RootOnly.busyboxImage(tmp);
    bed.ctlOk("image", "import", image.toString());
  }

  @AfterAll
  void stopCluster() throws IOException {
    if (bed != null) {
      bed.close();
    }
  }

  /** Running tasks of {@code svc} (observed and desired RUNNING): slot → node. */
  private Map<Long, String> running(String svc) throws IOException {
    Map<Long, String> out = new HashMap<>();
    Map<Long, Integer> perSlot = new HashMap<>();
    for (JsonNode t : bed.json("service", "ps", svc)) {
      if ("RUNNING".equals(t.path("status").path("state").asText())
          && "RUNNING".equals(t.path("desiredState").asText())) {
        long slot = t.path("slot").asLong();
        out.put(slot, t.path("nodeId").asText());
        perSlot.merge(slot, 1, Integer::sum);
      }
    }
    perSlot.values().forEach(c -> assertEquals(1, c, "one running task per slot"));
    return out;
  }

  private boolean convergedAwayFrom(String svc, int replicas, String nodeId) throws IOException {
    Map<Long, String> r = running(svc);
    return r.size() == replicas && !r.containsValue(nodeId);
  }

  @Test
  @Order(1)
  void fourNodesAreReadyAndSixReplicasSpreadOverAll() throws IOException {
    assertEquals(4, bed.readyNodes().size());
    bed.ctlOk("service", "create", "-d", "--name", "web", "--replicas", "6", "busybox", "sleep", "100000");
    await().atMost(CONVERGE).until(() -> running("web").size() == 6);
    assertEquals(4, new HashSet<>(running("web").values()).size(), "every node runs a task: " + running("web"));
  }

  @Test
  @Order(2)
  void drainMovesTasksAway() throws IOException {
    String n2 = nodeIdOfIndex(2);
    long start = System.nanoTime();
    bed.ctlOk("node", "update", "--availability", "drain", n2);
    await().atMost(HEAL).until(() -> convergedAwayFrom("web", 6, n2));
    System.out.printf("drain: tasks moved off the node in %.2f s%n", (System.nanoTime() - start) / 1e9);
    bed.ctlOk("node", "update", "--availability", "active", n2);
  }

  @Test
  @Order(3)
  void crashOfAWorkerReplacesItsTasksElsewhere() throws IOException {
    String n3 = nodeIdOfIndex(3);
    await().atMost(CONVERGE).until(() -> running("web").containsValue(n3) || running("web").size() == 6);
    long start = System.nanoTime();
    bed.crash(3);
    await().atMost(HEAL).until(() -> convergedAwayFrom("web", 6, n3));
    System.out.printf("crash: replacements running in %.2f s%n", (System.nanoTime() - start) / 1e9);
    await().atMost(HEAL).until(() -> !bed.readyNodes().contains(n3));
  }

  @Test
  @Order(4)
  void aCutLinkReplacesTasksAndTheReturningNodeStopsItsStaleOnes() throws IOException {
    String n4 = nodeIdOfIndex(4);
    assertTrue(running("web").containsValue(n4), "node 4 runs tasks before the cut: " + running("web"));
    long start = System.nanoTime();
    bed.run("partition", "4");
    await().atMost(HEAL).until(() -> convergedAwayFrom("web", 6, n4));
    System.out.printf("partition: replacements running in %.2f s%n", (System.nanoTime() - start) / 1e9);
    bed.run("heal", "4");
    await().atMost(CONVERGE).until(() -> bed.readyNodes().contains(n4));
    // Back: its stale tasks are told to stop, so each slot keeps exactly one running task.
    await().atMost(CONVERGE).until(() -> running("web").size() == 6 && noTaskRunningOn("web", n4));
  }

  private boolean noTaskRunningOn(String svc, String nodeId) throws IOException {
    for (JsonNode t : bed.json("service", "ps", svc)) {
      if (nodeId.equals(t.path("nodeId").asText()) && "RUNNING".equals(t.path("status").path("state").asText())) {
        return false;
      }
    }
    return true;
  }

  private String nodeIdOfIndex(int i) {
    return nodeIndex.entrySet().stream().filter(e -> e.getValue() == i).map(Map.Entry::getKey).findFirst().orElseThrow();
  }
}
