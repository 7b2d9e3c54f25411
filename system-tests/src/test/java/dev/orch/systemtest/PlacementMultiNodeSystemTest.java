package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * Placement on the network-namespace test bed: node labels and constraints decide where tasks
 * run; a constraint no node meets leaves tasks pending with the scheduler's explanation in
 * {@code service ps} and {@code service inspect}; a node that joins and gets the label takes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementMultiNodeSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ASIA_REASON = "no suitable node (2 nodes do not match node.labels.zone==asia)";

  @TempDir static Path tmp;
  private TestBed bed;
  private String token;

  @BeforeAll
  void startCluster() throws Exception {
    RootOnly.require("the placement multi-node system test");
    bed = new TestBed("orchpl" + (ProcessHandle.current().pid() % 10000), 3);
    bed.orchd(1, "init", "--data-dir", "{data}", "--advertise-addr", "{addr}");
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.ctl("node", "ls").exit() == 0);
    token = bed.ctlOk("swarm", "join-token", "-q", "worker").strip();
    bed.join(2, token);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.readyNodes().size() == 2);
    bed.ctlOk("node", "update", "--label-add", "zone=us", bed.nodeIdOf(1));
    bed.ctlOk("node", "update", "--label-add", "zone=eu", bed.nodeIdOf(2));
    bed.ctlOk("image", "import", RootOnly.busyboxImage(tmp).toString());
  }

  @AfterAll
  void stopCluster() throws IOException {
    if (bed != null) {
      bed.close();
    }
  }

  /** The wanted tasks of {@code svc}. */
  private List<JsonNode> wanted(String svc) throws IOException {
    return bed.json("service", "ps", svc).stream()
        .filter(t -> "RUNNING".equals(t.path("desiredState").asText())).toList();
  }

  private List<String> runningOn(String svc) throws IOException {
    return wanted(svc).stream().filter(t -> "RUNNING".equals(t.path("status").path("state").asText()))
        .map(t -> t.path("nodeId").asText()).toList();
  }

  @Test
  @Order(1)
  void aConstraintPlacesTasksOnlyOnMatchingNodes() throws IOException {
    bed.ctlOk("service", "create", "-d", "--name", "eu", "--replicas", "3",
        "--constraint", "node.labels.zone==eu", "busybox", "sleep", "100000");
    await().atMost(CONVERGE).until(() -> runningOn("eu").size() == 3);
    assertEquals(Set.of(bed.nodeIdOf(2)), new HashSet<>(runningOn("eu")));
  }

  @Test
  @Order(2)
  void anImpossibleConstraintLeavesTasksPendingWithTheReason() throws IOException {
    bed.ctlOk("service", "create", "-d", "--name", "asia", "--replicas", "2",
        "--constraint", "node.labels.zone==asia", "busybox", "sleep", "100000");
    await().atMost(CONVERGE).until(() -> wanted("asia").size() == 2 && wanted("asia").stream()
        .allMatch(t -> "PENDING".equals(t.path("status").path("state").asText())
            && ASIA_REASON.equals(t.path("status").path("err").asText())));
    String table = bed.ctlOk("service", "ps", "--no-trunc", "asia");
    assertTrue(table.contains("\"" + ASIA_REASON + "\""), table);
    JsonNode inspected = JSON.readTree(bed.ctlOk("service", "inspect", "asia")).get(0);
    assertEquals(ASIA_REASON, inspected.path("status").path("pendingReason").asText(), inspected.toString());
    assertEquals("2", inspected.path("status").path("pendingTasks").asText());
  }

  @Test
  @Order(3)
  void aMatchingNodeThatJoinsTakesThePendingTasks() throws IOException {
    bed.join(3, token);
    String n3 = await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.nodeIdOf(3), id -> !id.isEmpty());
    await().atMost(CONVERGE).until(() -> bed.readyNodes().contains(n3));
    bed.ctlOk("node", "update", "--label-add", "zone=asia", n3);
    await().atMost(CONVERGE).until(() -> runningOn("asia").size() == 2);
    assertEquals(Set.of(n3), new HashSet<>(runningOn("asia")));
    assertEquals(Set.of(bed.nodeIdOf(2)), new HashSet<>(runningOn("eu")), "the eu tasks stay where they are");
  }
}
