package dev.orch.agent.logs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Merges the lines of several tasks into one list in time order, keeping each task's own order
 * (a line's time can go backwards within a task when the node's clock is set back, and a line
 * without a time sorts with the line before it).
 */
public final class LogMerge {
  /** A line and the task it belongs to. */
  public record TaskEntry(String taskId, LogEntry entry) {}

  private LogMerge() {}

  public static List<TaskEntry> inTimeOrder(Map<String, List<LogEntry>> byTask) {
    record Cursor(String taskId, List<LogEntry> lines, int order, int next, long key) {}
    PriorityQueue<Cursor> heads = new PriorityQueue<>(
        Comparator.comparingLong(Cursor::key).thenComparingInt(Cursor::order));
    int order = 0;
    int total = 0;
    for (Map.Entry<String, List<LogEntry>> e : byTask.entrySet()) {
      if (!e.getValue().isEmpty()) {
        heads.add(new Cursor(e.getKey(), e.getValue(), order, 0, key(e.getValue().get(0), Long.MIN_VALUE)));
        total += e.getValue().size();
      }
      order++;
    }
    List<TaskEntry> merged = new ArrayList<>(total);
    while (!heads.isEmpty()) {
      Cursor c = heads.poll();
      merged.add(new TaskEntry(c.taskId(), c.lines().get(c.next())));
      int next = c.next() + 1;
      if (next < c.lines().size()) {
        heads.add(new Cursor(c.taskId(), c.lines(), c.order(), next, key(c.lines().get(next), c.key())));
      }
    }
    return merged;
  }

  private static long key(LogEntry e, long previous) {
    return e.hasTime() ? e.timeNanos() : previous;
  }
}
