package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Task;
import dev.orch.proto.TaskHealth;
import dev.orch.proto.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Health checks on a real node: run in the container, shown in service ps, unhealthy tasks replaced. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthCheckSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(40);

  @TempDir static Path tmp;
  private SingleNode orch;

  @BeforeAll
  void startNode() throws Exception {
    RootOnly.require("the health check system test");
    orch = new SingleNode(tmp.resolve("data"));
    assertEquals(0, orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString()).exit());
  }

  @AfterAll
  void stopNode() {
    if (orch != null) {
      orch.close();
    }
  }

  private List<Task> inSlot(String service) {
    return orch.tasks(service);
  }

  @Test
  void aTaskWhoseCheckStartsFailingIsReplaced() {
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "hc", "--restart-delay", "0s",
        "--health-cmd", "test ! -f /tmp/sick", "--health-interval", "1s", "--health-retries", "2",
        "busybox", "sleep", "100000");
    assertEquals(0, r.exit(), r.err());
    try {
      await().atMost(CONVERGE).until(() -> orch.running("hc").stream()
          .anyMatch(t -> t.getStatus().getHealth() == TaskHealth.HEALTH_HEALTHY));
      Task first = orch.running("hc").get(0);
      assertTrue(orch.ctl("service", "ps", "hc").out().contains("Running (healthy)"), orch.ctl("service", "ps", "hc").out());

      assertEquals(0, orch.ctl("exec", first.getMeta().getId(), "touch", "/tmp/sick").exit());
      await().atMost(CONVERGE).until(() -> inSlot("hc").stream().anyMatch(t -> t.getMeta().getId().equals(first.getMeta().getId())
          && t.getStatus().getState() == TaskState.FAILED));
      Task failed = inSlot("hc").stream().filter(t -> t.getMeta().getId().equals(first.getMeta().getId())).findFirst().orElseThrow();
      assertTrue(failed.getStatus().getErr().startsWith("unhealthy container: health check failed exit code 1"),
          failed.getStatus().getErr());
      await().atMost(CONVERGE).until(() -> orch.running("hc").stream()
          .anyMatch(t -> !t.getMeta().getId().equals(first.getMeta().getId())
              && t.getStatus().getHealth() == TaskHealth.HEALTH_HEALTHY));
    } finally {
      orch.ctl("service", "rm", "hc");
    }
  }

  @Test
  void failuresInTheStartPeriodDoNotCount() {
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "slow", "--restart-condition", "none",
        "--health-cmd", "false", "--health-interval", "1s", "--health-retries", "1", "--health-start-period", "4s",
        "busybox", "sleep", "100000");
    assertEquals(0, r.exit(), r.err());
    try {
      await().atMost(CONVERGE).until(() -> inSlot("slow").stream().anyMatch(t -> t.getStatus().getState() == TaskState.FAILED));
      Task failed = inSlot("slow").get(0);
      assertTrue(failed.getStatus().getErr().startsWith("unhealthy container"), failed.getStatus().getErr());
      // Without the start period it would fail one interval after starting; with it, not before 4 s.
      long lived = failed.getStatus().getTimestampMs() - failed.getMeta().getCreatedAtMs();
      assertTrue(lived >= 4000, "failed " + lived + " ms after it was created");
    } finally {
      orch.ctl("service", "rm", "slow");
    }
  }

  @Test
  void badHealthOptionsAreRefused() {
    SingleNode.Ctl both = orch.ctl("service", "create", "-d", "--no-healthcheck", "--health-cmd", "true", "busybox", "true");
    assertEquals(2, both.exit());
    assertTrue(both.err().startsWith("error: --no-healthcheck conflicts with --health-* options"), both.err());
    SingleNode.Ctl fast = orch.ctl("service", "create", "-d", "--health-cmd", "true", "--health-interval", "10ms",
        "busybox", "true");
    assertEquals(1, fast.exit());
    assertTrue(fast.err().startsWith("error: invalid health check: --health-interval and --health-timeout must be"),
        fast.err());
  }
}
