package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A global service on the network-namespace test bed: it gets a task on a node that joins after
 * it was created, and loses the task of a node that is drained.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GlobalServiceMultiNodeSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @TempDir static Path tmp;
  private TestBed bed;
  private String token;

  @BeforeAll
  void startCluster() throws Exception {
    RootOnly.require("the global service multi-node system test");
    bed = new TestBed("orchgl" + (ProcessHandle.current().pid() % 10000), 3);
    bed.orchd(1, "init", "--data-dir", "{data}", "--advertise-addr", "{addr}");
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.ctl("node", "ls").exit() == 0);
    token = bed.ctlOk("swarm", "join-token", "-q", "worker").strip();
    bed.join(2, token);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.readyNodes().size() == 2);
    bed.ctlOk("image", "import", RootOnly.busyboxImage(tmp).toString());
  }

  @AfterAll
  void stopCluster() throws IOException {
    if (bed != null) {
      bed.close();
    }
  }

  /** The nodes running a task of {@code svc}, checking there is at most one per node. */
  private List<String> runningOn(String svc) throws IOException {
    List<String> nodes = new ArrayList<>();
    for (JsonNode t : bed.json("service", "ps", svc)) {
      if ("RUNNING".equals(t.path("status").path("state").asText())
          && "RUNNING".equals(t.path("desiredState").asText())) {
        nodes.add(t.path("nodeId").asText());
      }
    }
    assertEquals(new HashSet<>(nodes).size(), nodes.size(), "one task per node: " + nodes);
    return nodes;
  }

  @Test
  void followsJoinsAndDrains() throws IOException {
    bed.ctlOk("service", "create", "-d", "--name", "agent", "--mode", "global", "--restart-delay", "0s",
        "busybox", "sleep", "100000");
    await().atMost(CONVERGE).until(() -> new HashSet<>(runningOn("agent")).equals(bed.readyNodes()));

    bed.join(3, token);
    // the node writes its identity once it has joined
    String n3 = await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.nodeIdOf(3), id -> !id.isEmpty());
    await().atMost(CONVERGE).until(() -> runningOn("agent").size() == 3 && runningOn("agent").contains(n3));

    String n2 = bed.nodeIdOf(2);
    bed.ctlOk("node", "update", "--availability", "drain", n2);
    await().atMost(CONVERGE).until(() -> runningOn("agent").size() == 2 && !runningOn("agent").contains(n2));
    bed.ctlOk("node", "update", "--availability", "active", n2);
    await().atMost(CONVERGE).until(() -> runningOn("agent").size() == 3);
    bed.ctlOk("service", "rm", "agent");
    await().atMost(CONVERGE).until(() -> bed.json("service", "ls").isEmpty());
  }
}
