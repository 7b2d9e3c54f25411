package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.ctl.OrchCtl;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service lifecycle on one real node driven through orchctl: rolling updates and rollback (manual
 * and automatic), restart policies, replicated jobs, global services, constraint enforcement,
 * task history and the event stream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceLifecycleSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @TempDir static Path tmp;
  private SingleNode orch;
  private final ByteArrayOutputStream events = new ByteArrayOutputStream();
  private Thread eventsCommand;

  @BeforeAll
  void startNode() throws Exception {
    RootOnly.require("the service lifecycle system test");
    orch = new SingleNode(tmp.resolve("data"));
    SingleNode.Ctl r = orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString());
    assertEquals(0, r.exit(), r.err());
    // orchctl events runs for the whole class, as a user would leave it running in a terminal.
    PrintStream out = new PrintStream(events, true, StandardCharsets.UTF_8);
    eventsCommand = new Thread(() -> OrchCtl.run(out, out, Map.of("ORCH_HOST", orch.identity.controlAddress(),
        "ORCH_CONFIG_DIR", orch.configDir.toString()), "events", "--filter", "type=service"), "orchctl-events");
    eventsCommand.setDaemon(true);
    eventsCommand.start();
  }

  @AfterAll
  void stopNode() {
    if (orch == null) {
      return;
    }
    // Containers outlive orchd: remove the services and wait for their tasks to go first.
    for (String service : List.of("web", "flaky", "once", "batch", "agent")) {
      orch.ctl("service", "rm", service);
    }
    await().atMost(CONVERGE).until(() -> orch.control()
        .listTasks(dev.orch.proto.ListTasksRequest.getDefaultInstance()).getTasksCount() == 0);
    orch.close();
  }

  private SingleNode.Ctl ok(String... args) {
    SingleNode.Ctl r = orch.ctl(args);
    assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err() + r.out());
    return r;
  }

  private List<Task> running(String service) {
    return orch.running(service);
  }

  @Test
  @Order(1)
  void startFirstRollingUpdateKeepsEveryReplicaRunningAndRollbackReturns() {
    try (TaskEventRecorder recorder = new TaskEventRecorder(orch, "web")) {
      // subscribed first: the recorder sees every task from its creation
      ok("service", "create", "--name", "web", "--replicas", "3", "--restart-delay", "0s",
          "--update-order", "start-first", "--update-parallelism", "1", "--update-monitor", "1s",
          "--rollback-monitor", "1s", "busybox", "sleep", "100000");
      await().atMost(CONVERGE).until(() -> running("web").size() == 3 && recorder.runningNow() == 3);
      recorder.resetRunning();
      SingleNode.Ctl r = ok("service", "update", "--env-add", "VERSION=2", "web");
      assertTrue(r.out().contains("overall progress: 3 out of 3 tasks"), r.out());
      assertTrue(r.out().endsWith("verify: Service converged\n"), r.out());
      Service web = orch.service("web");
      assertEquals(UpdateState.COMPLETED, web.getUpdateStatus().getState());
      assertEquals(3, running("web").stream().filter(t -> t.getSpec().getContainer().getEnvList()
          .contains("VERSION=2")).count());
      assertTrue(recorder.minRunning() >= 3, "start-first: never fewer than 3 running, saw " + recorder.minRunning());
    }
    SingleNode.Ctl back = ok("service", "rollback", "web");
    assertTrue(back.out().contains("rollback: manually requested rollback"), back.out());
    Service web = orch.service("web");
    assertEquals(UpdateState.ROLLBACK_COMPLETED, web.getUpdateStatus().getState());
    assertEquals(List.of(), web.getSpec().getContainer().getEnvList());
    assertEquals(3, running("web").stream().filter(t -> t.getSpec().getContainer().getEnvCount() == 0).count());
    assertTrue(ok("service", "ps", "web").out().contains("web: update rollback_completed"));
  }

  @Test
  @Order(2)
  void anUpdateWhoseTasksExitAtOnceRollsBackByItself() {
    // Settings alone replace no task, so this starts no rolling update.
    ok("service", "update", "--update-failure-action", "rollback", "--update-order", "stop-first", "-d", "web");
    SingleNode.Ctl r = orch.ctl("service", "update", "--args", "sh -c 'exit 3'", "web");
    assertNotEquals(0, r.exit(), "the update did not go through: " + r.out());
    assertTrue(r.err().contains("service web rolled back: update rolled back due to failure or early termination"
        + " of task"), r.err());
    assertTrue(r.out().contains("rollback: update rolled back"), r.out());
    Service web = orch.service("web");
    assertEquals(UpdateState.ROLLBACK_COMPLETED, web.getUpdateStatus().getState());
    assertEquals(List.of("sleep", "100000"), web.getSpec().getContainer().getCommandList());
    assertEquals(List.of("sh", "-c", "exit 3"), web.getPreviousSpec().getContainer().getCommandList());
    assertEquals(3, running("web").stream()
        .filter(t -> t.getSpec().getContainer().getCommandList().equals(List.of("sleep", "100000"))).count());
    String inspect = ok("service", "inspect", "web").out();
    assertTrue(inspect.contains("\"state\": \"ROLLBACK_COMPLETED\""), inspect);
  }

  @Test
  @Order(3)
  void onFailureWithMaxAttemptsRestartsExactlyThreeTimesThenStaysFailed() {
    ok("service", "create", "-d", "--name", "flaky", "--restart-condition", "on-failure",
        "--restart-max-attempts", "3", "--restart-window", "1m", "--restart-delay", "0s",
        "busybox", "sh", "-c", "exit 1");
    await().atMost(CONVERGE).until(() -> orch.tasks("flaky").stream().anyMatch(t -> t.getRestarts().getGivenUp()));
    List<Task> tasks = orch.tasks("flaky");
    assertEquals(4, tasks.size(), "the first run and exactly 3 restarts: " + tasks);
    assertTrue(tasks.stream().allMatch(t -> t.getSlot() == 1 && t.getStatus().getState() == TaskState.FAILED));
    Task last = tasks.stream().filter(t -> t.getDesiredState() == TaskState.RUNNING).findFirst().orElseThrow();
    assertEquals("not restarted: the restart policy allows 3 attempts within 1m0s and all were used",
        last.getStatus().getMessage());
    assertEquals("task: non-zero exit (1)", last.getStatus().getErr());
    assertEquals(3, last.getRestarts().getRestartedAtMsCount());
  }

  @Test
  @Order(4)
  void noneNeverRestarts() {
    ok("service", "create", "-d", "--name", "once", "--restart-condition", "none", "busybox", "sh", "-c", "exit 1");
    await().atMost(CONVERGE).until(() -> orch.tasks("once").stream().anyMatch(t -> t.getRestarts().getGivenUp()));
    List<Task> tasks = orch.tasks("once");
    assertEquals(1, tasks.size(), tasks.toString());
    assertEquals("not restarted: the restart condition is none", tasks.get(0).getStatus().getMessage());
  }

  @Test
  @Order(5)
  void taskHistoryLimitReapsOlderTasks() {
    ok("swarm", "update", "--task-history-limit", "1");
    // flaky: three ended tasks of history and the slot's given-up task, which is not history
    await().atMost(CONVERGE).until(() -> orch.tasks("flaky").size() == 2);
    ok("swarm", "update", "--task-history-limit", "5");
  }

  @Test
  @Order(6)
  void aReplicatedJobRunsExactlySixCompletionsAtMostTwoAtOnce() {
    try (TaskEventRecorder recorder = new TaskEventRecorder(orch, "batch")) {
      SingleNode.Ctl r = ok("service", "create", "--name", "batch", "--mode", "replicated-job", "--replicas", "6",
          "--max-concurrent", "2", "busybox", "sh", "-c", "sleep 0.2");
      assertTrue(r.out().contains("overall progress: 6 out of 6 tasks"), r.out());
      assertTrue(r.out().endsWith("verify: Job complete\n"), r.out());
      List<Task> tasks = orch.tasks("batch");
      assertEquals(6, tasks.size(), tasks.toString());
      assertTrue(tasks.stream().allMatch(t -> t.getStatus().getState() == TaskState.COMPLETE));
      assertEquals(6, tasks.stream().map(Task::getSlot).distinct().count());
      await().atMost(CONVERGE).until(() -> recorder.completed() == 6);
      assertTrue(recorder.maxLive() <= 2, "at most 2 at once, saw " + recorder.maxLive());
      assertEquals(2, recorder.maxLive(), "and 2 did run together");
    }
    assertTrue(ok("service", "ls").out().contains("replicated job"));
  }

  @Test
  @Order(7)
  void aGlobalServiceFollowsTheNodeAvailability() {
    SingleNode.Ctl r = ok("service", "create", "--name", "agent", "--mode", "global", "--restart-delay", "0s",
        "busybox", "sleep", "100000");
    assertTrue(r.out().contains("overall progress: 1 out of 1 tasks"), r.out());
    String node = orch.identity.nodeId();
    assertEquals(node, running("agent").get(0).getNodeId());
    ok("node", "update", "--availability", "drain", node);
    await().atMost(CONVERGE).until(() -> running("agent").isEmpty()
        && orch.tasks("agent").stream().allMatch(t -> t.getDesiredState() != TaskState.RUNNING));
    ok("node", "update", "--availability", "active", node);
    await().atMost(CONVERGE).until(() -> running("agent").size() == 1);
    await().atMost(CONVERGE).until(() -> running("web").size() == 3);
  }

  @Test
  @Order(8)
  void aTaskOnANodeThatStopsMatchingItsConstraintsIsMoved() {
    String node = orch.identity.nodeId();
    ok("service", "update", "--constraint-add", "node.labels.tier!=db", "web");
    String before = running("web").get(0).getMeta().getId();
    ok("node", "update", "--label-add", "tier=db", node);
    // the only node no longer matches: the tasks stop and their replacements wait for a node
    await().atMost(CONVERGE).until(() -> running("web").isEmpty() && orch.service("web").getStatus()
        .getPendingReason().contains("node.labels.tier!=db"));
    ok("node", "update", "--label-rm", "tier", node);
    await().atMost(CONVERGE).until(() -> running("web").size() == 3);
    assertTrue(running("web").stream().noneMatch(t -> t.getMeta().getId().equals(before)), "new tasks, not the old");
  }

  @Test
  @Order(9)
  void eventsStreamedServiceChanges() {
    await().atMost(CONVERGE).until(() -> events.toString(StandardCharsets.UTF_8).contains("service update"));
    String seen = events.toString(StandardCharsets.UTF_8);
    assertTrue(seen.contains("service create") && seen.contains("name=web"), seen);
    assertTrue(seen.contains("updatestate=rollback_completed"), seen);
    assertTrue(seen.lines().noneMatch(l -> l.contains(" task ") || l.contains(" node ")), "filtered to services");
  }
}
