package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.logs.LogEntry;
import dev.orch.agent.logs.LogReader;
import dev.orch.proto.LogLine;
import dev.orch.proto.LogsRequest;
import dev.orch.proto.Task;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * service logs on one real node: --tail per task, -f showing new lines of every task as they
 * come, --since and -t with the times orch-shim stamps, stderr apart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogsSystemTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private SingleNode orch;

  @BeforeAll
  void start() throws Exception {
    RootOnly.require("the logs system test");
    orch = new SingleNode(tmp.resolve("data"));
    assertEquals(0, orch.ctl("image", "import", RootOnly.busyboxImage(tmp).toString()).exit());
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "talk", "--replicas", "3", "busybox",
        "sh", "-c", "i=0; while true; do i=$((i+1)); echo line-$i; sleep 0.2; done");
    assertEquals(0, r.exit(), r.err());
    await().atMost(CONVERGE).until(() -> orch.running("talk").size() == 3);
  }

  @AfterAll
  void stop() {
    if (orch != null) {
      try {
        removeAndAwaitItsContainers("talk");
      } finally {
        orch.close();
      }
    }
  }

  @Test
  void tailGivesExactlyNLinesPerTaskAndFollowShowsEveryTasksNewLines() throws Exception {
    List<Task> tasks = orch.running("talk");
    for (Task t : tasks) {
      await().atMost(CONVERGE).until(() -> orch.logText(t).lines().count() >= 8);
    }
    SingleNode.Ctl r = orch.ctl("service", "logs", "--tail", "5", "talk");
    assertEquals(0, r.exit(), r.err());
    Map<String, Integer> perPrefix = new HashMap<>();
    for (String line : r.out().lines().toList()) {
      String prefix = line.substring(0, line.indexOf("@"));
      assertTrue(line.indexOf("@") < line.indexOf(" | "), line);
      assertTrue(line.substring(line.indexOf(" | ") + 3).startsWith("line-"), line);
      perPrefix.merge(prefix, 1, Integer::sum);
    }
    Set<String> expected = tasks.stream().map(t -> "talk." + t.getSlot() + "." + t.getMeta().getId().substring(0, 12))
        .collect(Collectors.toSet());
    assertTrue(perPrefix.keySet().containsAll(expected), r.out());
    // A task replaced meanwhile (a loaded machine can lapse the node's 500 ms heartbeat) shows its
    // last lines too; each running one shows exactly 5.
    perPrefix.forEach((prefix, n) -> assertTrue(expected.contains(prefix) ? n == 5 : n <= 5, prefix + ": " + n + "\n" + r.out()));

    List<LogLine> followed = new CopyOnWriteArrayList<>();
    ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
    long since = System.currentTimeMillis();
    orch.asyncControl().logs(LogsRequest.newBuilder().setService("talk").setFollow(true).setTail(0).build(),
        new ClientResponseObserver<LogsRequest, LogLine>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<LogsRequest> requestStream) {
            call[0] = requestStream;
          }

          @Override
          public void onNext(LogLine l) {
            followed.add(l);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    try {
      // tail 0: nothing old; then lines of all three tasks as they are written (one every 0.2 s each).
      await().atMost(Duration.ofSeconds(10)).until(() -> followed.stream().map(LogLine::getTaskId).distinct().count() >= 3
          && followed.stream().collect(Collectors.groupingBy(LogLine::getTaskId, Collectors.counting()))
              .values().stream().allMatch(n -> n >= 3));
      System.out.printf("logs -f: 3 lines from each of 3 tasks within %d ms%n", System.currentTimeMillis() - since);
      followed.forEach(l -> assertTrue(l.getLine().startsWith("line-") && l.getError().isEmpty(), l.toString()));
    } finally {
      call[0].cancel("test done", null);
    }
  }

  @Test
  void sinceShowsOnlyLaterLinesAndTimestampsComeFirstAndStderrGoesToStderr() throws Exception {
    Task task = runOne("stamp", "i=0; while true; do i=$((i+1)); echo out-$i; echo err-$i >&2; sleep 0.1; done");
    await().atMost(CONVERGE).until(() -> orch.logText(task).lines().count() >= 6);
    Instant marker = Instant.now();
    long markerNanos = marker.getEpochSecond() * 1_000_000_000L + marker.getNano();
    await().atMost(CONVERGE).until(() -> new LogReader(orch.logFile(task), markerNanos).tail(-1).size() >= 6);

    SingleNode.Ctl r = orch.ctl("service", "logs", "--since", marker.toString(), "-t", "stamp");
    assertEquals(0, r.exit(), r.err());
    String prefix = "stamp.1." + task.getMeta().getId().substring(0, 12) + "@";
    List<LogEntry> file = new LogReader(orch.logFile(task)).tail(-1);
    int first = 0;
    while (file.get(first).timeNanos() < markerNanos) {
      first++;
    }
    assertTrue(first > 0, "lines before the marker exist");
    for (String stream : List.of("out", "err")) {
      List<String> shown = (stream.equals("out") ? r.out() : r.err()).lines().toList();
      assertTrue(shown.size() >= 3, stream + ": " + shown);
      Instant previous = marker;
      for (String line : shown) {
        Instant at = Instant.parse(line.substring(0, line.indexOf(' ')));
        assertTrue(!at.isBefore(previous), "at or after --since, in order: " + line);
        previous = at;
        assertTrue(line.substring(line.indexOf(' ') + 1).startsWith(prefix), line);
        assertTrue(line.substring(line.indexOf(" | ") + 3).startsWith(stream + "-"), line);
      }
      String firstAfter = file.subList(first, file.size()).stream().map(LogEntry::line)
          .filter(l -> l.startsWith(stream + "-")).findFirst().orElseThrow();
      assertTrue(shown.get(0).endsWith(" | " + firstAfter), "the first line at or after the marker: " + shown.get(0));
    }
    removeAndAwaitItsContainers("stamp");
  }

  /** Creates a one-replica busybox service running {@code script} and returns its running task. */
  private Task runOne(String service, String script) {
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", service, "busybox", "sh", "-c", script);
    assertEquals(0, r.exit(), r.err());
    await().atMost(CONVERGE).until(() -> orch.running(service).size() == 1);
    return orch.running(service).get(0);
  }

  /** Containers outlive their node: a service's are waited for (their logs are deleted last). */
  private void removeAndAwaitItsContainers(String service) {
    List<Path> logs = orch.tasks(service).stream().map(orch::logFile).toList();
    assertEquals(0, orch.ctl("service", "rm", service).exit());
    await().atMost(CONVERGE).until(() -> logs.stream().noneMatch(Files::exists));
  }

  @Test
  void theLogsOfARemovedServiceAreDeletedFromTheNode() throws Exception {
    Task brief = runOne("brief", "echo hello; sleep 600");
    Path log = orch.logFile(brief);
    await().atMost(CONVERGE).until(() -> orch.logText(brief).contains("hello"));
    assertEquals(0, orch.ctl("service", "rm", "brief").exit());
    await().atMost(CONVERGE).until(() -> !Files.exists(log));
  }
}
