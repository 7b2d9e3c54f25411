package dev.orch.agent;

import dev.orch.agent.logs.LogReader;
import dev.orch.proto.AgentReply;
import dev.orch.proto.LogLine;
import dev.orch.proto.NodeLogs;
import dev.orch.proto.NodeLogsRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Answers log requests: each task's last lines, then, when following, new lines as they are
 * appended (the files are polled every {@link #POLL_MS} ms) until the manager cancels.
 */
final class NodeLogStreams {
  static final long POLL_MS = 100;
  private static final int BATCH = 500;

  private final Path logDir;
  private final Set<String> following = ConcurrentHashMap.newKeySet();

  NodeLogStreams(Path logDir) {
    this.logDir = logDir;
  }

  void cancel(String requestId) {
    following.remove(requestId);
  }

  /** Runs on a worker thread; while following it returns only when cancelled or {@code closed} says so. */
  void serve(String id, NodeLogsRequest request, Consumer<AgentReply> send, java.util.function.BooleanSupplier closed)
      throws IOException, InterruptedException {
    Map<String, LogReader> readers = new LinkedHashMap<>();
    NodeLogs.Builder batch = NodeLogs.newBuilder();
    if (request.getFollow()) {
      following.add(id);
    }
    for (String taskId : request.getTaskIdsList()) {
      LogReader r = new LogReader(logDir.resolve(taskId + ".log"));
      readers.put(taskId, r);
      add(batch, taskId, r.tail(request.hasTail() ? request.getTail() : -1), id, send);
    }
    if (!request.getFollow()) {
      send.accept(AgentReply.newBuilder().setRequestId(id).setLogs(batch.setEnd(true)).build());
      return;
    }
    flush(batch, id, send);
    while (following.contains(id) && !closed.getAsBoolean()) {
      for (Map.Entry<String, LogReader> e : readers.entrySet()) {
        add(batch, e.getKey(), e.getValue().poll(), id, send);
      }
      flush(batch, id, send);
      Thread.sleep(POLL_MS); // the follow poll interval: log files have no change notification here
    }
  }

  private static void add(NodeLogs.Builder batch, String taskId, List<String> lines, String id, Consumer<AgentReply> send) {
    for (String line : lines) {
      batch.addLines(LogLine.newBuilder().setTaskId(taskId).setLine(line));
      if (batch.getLinesCount() >= BATCH) {
        flush(batch, id, send);
      }
    }
  }

  private static void flush(NodeLogs.Builder batch, String id, Consumer<AgentReply> send) {
    if (batch.getLinesCount() > 0) {
      send.accept(AgentReply.newBuilder().setRequestId(id).setLogs(batch.build()).build());
      batch.clear();
    }
  }
}
