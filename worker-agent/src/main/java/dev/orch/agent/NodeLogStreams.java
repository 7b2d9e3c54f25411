package dev.orch.agent;

import dev.orch.agent.logs.LogEntry;
import dev.orch.agent.logs.LogMerge;
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
 * Answers log requests: each task's last lines (since a time, when asked), then, when following,
 * new lines as they are appended (the files are polled every {@link #POLL_MS} ms) until the
 * manager cancels. The lines of each answer are in time order across the tasks.
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
    long since = request.hasSinceUnixNanos() ? request.getSinceUnixNanos() : LogReader.ALL;
    Map<String, List<LogEntry>> lines = new LinkedHashMap<>();
    for (String taskId : request.getTaskIdsList()) {
      LogReader r = new LogReader(logDir.resolve(taskId + ".log"), since);
      readers.put(taskId, r);
      lines.put(taskId, r.tail(request.hasTail() ? request.getTail() : -1));
    }
    add(batch, lines, id, send);
    if (!request.getFollow()) {
      send.accept(AgentReply.newBuilder().setRequestId(id).setLogs(batch.setEnd(true)).build());
      return;
    }
    flush(batch, id, send);
    while (following.contains(id) && !closed.getAsBoolean()) {
      lines.clear();
      for (Map.Entry<String, LogReader> e : readers.entrySet()) {
        lines.put(e.getKey(), e.getValue().poll());
      }
      add(batch, lines, id, send);
      flush(batch, id, send);
      Thread.sleep(POLL_MS); // the follow poll interval: log files have no change notification here
    }
  }

  private static void add(NodeLogs.Builder batch, Map<String, List<LogEntry>> byTask, String id,
      Consumer<AgentReply> send) {
    for (LogMerge.TaskEntry t : LogMerge.inTimeOrder(byTask)) {
      LogLine.Builder line = LogLine.newBuilder().setTaskId(t.taskId()).setLine(t.entry().line())
          .setStream(t.entry().stream());
      if (t.entry().hasTime()) {
        line.setTimeUnixNanos(t.entry().timeNanos());
      }
      batch.addLines(line);
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
