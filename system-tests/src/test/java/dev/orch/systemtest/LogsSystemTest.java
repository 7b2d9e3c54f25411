package dev.orch.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.LogLine;
import dev.orch.proto.LogsRequest;
import dev.orch.proto.Task;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

/** service logs on one real node: --tail per task, and -f showing new lines of every task as they come. */
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
      orch.ctl("service", "rm", "talk");
      orch.close();
    }
  }

  @Test
  void tailGivesExactlyNLinesPerTaskAndFollowShowsEveryTasksNewLines() throws Exception {
    List<Task> tasks = orch.running("talk");
    for (Task t : tasks) {
      Path log = orch.dataDir.resolve("worker/logs/" + t.getMeta().getId() + ".log");
      await().atMost(CONVERGE).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 8);
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
    assertEquals(expected, perPrefix.keySet(), r.out());
    perPrefix.values().forEach(n -> assertEquals(5, n, r.out()));

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
      await().atMost(Duration.ofSeconds(10)).until(() -> followed.stream().map(LogLine::getTaskId).distinct().count() == 3
          && followed.stream().collect(Collectors.groupingBy(LogLine::getTaskId, Collectors.counting()))
              .values().stream().allMatch(n -> n >= 3));
      System.out.printf("logs -f: 3 lines from each of 3 tasks within %d ms%n", System.currentTimeMillis() - since);
      followed.forEach(l -> assertTrue(l.getLine().startsWith("line-") && l.getError().isEmpty(), l.toString()));
    } finally {
      call[0].cancel("test done", null);
    }
  }

  @Test
  void theLogsOfARemovedServiceAreDeletedFromTheNode() throws Exception {
    SingleNode.Ctl r = orch.ctl("service", "create", "-d", "--name", "brief", "busybox", "sh", "-c",
        "echo hello; sleep 600");
    assertEquals(0, r.exit(), r.err());
    await().atMost(CONVERGE).until(() -> orch.running("brief").size() == 1);
    Path log = orch.dataDir.resolve("worker/logs/" + orch.running("brief").get(0).getMeta().getId() + ".log");
    await().atMost(CONVERGE).until(() -> Files.exists(log) && Files.readString(log).contains("hello"));
    assertEquals(0, orch.ctl("service", "rm", "brief").exit());
    await().atMost(CONVERGE).until(() -> !Files.exists(log));
  }
}
