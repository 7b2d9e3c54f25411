package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start-first rolling update of a 4-replica service published on a port, while a client on the
 * node that runs no task requests through the routing mesh without pause: no request fails, and
 * afterwards every answer comes from a task of the new spec.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZeroDowntimeUpdateSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final String HTTPD = "mkdir -p /www && echo $VERSION-$(hostname) > /www/index.html"
      + " && exec httpd -f -p 80 -h /www";

  @TempDir static Path tmp;
  private TestBed bed;

  @BeforeAll
  void startCluster() throws Exception {
    RootOnly.require("the zero-downtime rolling update system test");
    bed = new TestBed("orchzd" + (ProcessHandle.current().pid() % 10000), 3);
    bed.orchd(1, "init", "--data-dir", "{data}", "--advertise-addr", "{addr}");
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.ctl("node", "ls").exit() == 0);
    String token = bed.ctlOk("swarm", "join-token", "-q", "worker").strip();
    bed.join(2, token);
    bed.join(3, token);
    await().atMost(CONVERGE).ignoreExceptions().until(() -> bed.readyNodes().size() == 3);
    bed.ctlOk("node", "update", "--availability", "drain", bed.nodeIdOf(1)); // the client's node runs no task
    bed.ctlOk("image", "import", RootOnly.busyboxImage(tmp).toString());
  }

  @AfterAll
  void stopCluster() throws IOException {
    if (bed != null) {
      bed.close();
    }
  }

  private List<JsonNode> running() throws IOException {
    return bed.json("service", "ps", "web").stream()
        .filter(t -> "RUNNING".equals(t.path("desiredState").asText())
            && "RUNNING".equals(t.path("status").path("state").asText()))
        .toList();
  }

  @Test
  void startFirstRollingUpdateThroughTheRoutingMeshLosesNoRequest() throws Exception {
    bed.ctlOk("service", "create", "-d", "--name", "web", "--replicas", "4", "-p", "8080:80",
        "--env", "VERSION=v1", "--update-order", "start-first", "--update-parallelism", "1",
        "busybox", "sh", "-c", HTTPD);
    String url = "http://" + bed.addr(1) + ":8080/";
    await().atMost(CONVERGE).ignoreExceptions().until(() -> running().size() == 4
        && bed.tryRun("exec", "1", "wget", "-T", "3", "-qO-", url).out().startsWith("v1-"));

    // The client: one request after the other until told to stop, one line per request.
    Path stop = tmp.resolve("stop");
    Path log = tmp.resolve("requests.log");
    String loop = "while [ ! -e " + stop + " ]; do"
        + " if out=$(wget -T 3 -qO- " + url + " 2>&1); then echo \"ok $out\"; else echo \"FAIL $out\"; fi;"
        + " done";
    Process client = new ProcessBuilder(RootOnly.repoRoot().resolve("deploy/testbed/testbed").toString(),
        "--name", bed.name, "exec", "1", "sh", "-c", loop)
        .redirectOutput(log.toFile()).redirectErrorStream(true).start();
    try {
      await().atMost(CONVERGE).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 20);
      // Without -d, update waits until the service converged (or fails if it did not).
      bed.ctlOk("service", "update", "--env-add", "VERSION=v2", "web");
      await().atMost(CONVERGE).ignoreExceptions().until(() -> running().size() == 4
          && running().stream().allMatch(t -> t.path("spec").path("container").path("env").toString().contains("v2")));
      int before = Files.readAllLines(log).size();
      await().atMost(CONVERGE).until(() -> Files.readAllLines(log).size() >= before + 20);
    } finally {
      Files.createFile(stop);
      if (!client.waitFor(30, TimeUnit.SECONDS)) {
        client.destroyForcibly();
      }
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    List<String> failed = lines.stream().filter(l -> !l.startsWith("ok ")).toList();
    // Every request answered: a replaced task leaves every node's routing mesh before it stops.
    System.err.println("zero-downtime update: " + failed.size() + " of " + lines.size() + " requests failed");
    assertTrue(failed.isEmpty(), failed.size() + " of " + lines.size() + " requests failed during the update: " + failed);
    Set<String> lastAnswers = new TreeSet<>(lines.subList(lines.size() - 10, lines.size()));
    assertTrue(lastAnswers.stream().allMatch(l -> l.startsWith("ok v2-")), "after the update only v2 answers: " + lastAnswers);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("ok v1-")), "the client ran before the update too");
  }
}
