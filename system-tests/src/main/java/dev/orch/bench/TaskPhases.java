package dev.orch.bench;

import dev.orch.proto.ActionType;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a task's time goes: the moment (as the leader's store applies it) each task of a service
 * first reaches each observed state, from a store watch. Benchmarks mark a start, then ask, per
 * task, for the offsets of its states from that start, and print the medians per state.
 */
final class TaskPhases implements AutoCloseable {
  private final Map<String, Map<TaskState, Long>> firstSeen = new ConcurrentHashMap<>();
  private final Map<String, Long> created = new ConcurrentHashMap<>();
  private final AutoCloseable watch;

  TaskPhases(Store store) {
    watch = store.watch(this::onEvents);
  }

  private void onEvents(List<WatchEvent> events) {
    long now = System.nanoTime();
    for (WatchEvent e : events) {
      if (!e.getObject().hasTask() || e.getType() == ActionType.DELETE) {
        continue;
      }
      Task t = e.getObject().getTask();
      created.putIfAbsent(t.getMeta().getId(), now);
      firstSeen.computeIfAbsent(t.getMeta().getId(), k -> java.util.Collections.synchronizedMap(new EnumMap<>(TaskState.class)))
          .putIfAbsent(t.getStatus().getState(), now);
    }
  }

  /**
   * Milliseconds from {@code start} to the creation and to each state of task {@code id}, in
   * state order ("created" first); states the task did not go through are absent.
   */
  Map<String, Double> offsets(String id, long start) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    Long c = created.get(id);
    if (c != null) {
      out.put("created", (c - start) / 1e6);
    }
    Map<TaskState, Long> seen = new EnumMap<>(TaskState.class);
    seen.putAll(firstSeen.getOrDefault(id, Map.of()));
    for (Map.Entry<TaskState, Long> s : seen.entrySet()) {
      out.put(s.getKey().name(), (s.getValue() - start) / 1e6);
    }
    return out;
  }

  /**
   * Milliseconds from {@code start} (a kill) to the end of task {@code oldId} ("old FAILED" or
   * "old SHUTDOWN") and to the creation and each state of its replacement {@code newId} ("new ...").
   */
  Map<String, Double> replacement(String oldId, String newId, long start) {
    Map<String, Double> row = new java.util.LinkedHashMap<>();
    offsets(oldId, start).forEach((phase, ms) -> {
      if (phase.equals("FAILED") || phase.equals("SHUTDOWN")) {
        row.put("old " + phase, ms);
      }
    });
    offsets(newId, start).forEach((phase, ms) -> row.put("new " + phase, ms));
    return row;
  }

  /** Prints the median offset of each phase over {@code runs} (each a map from {@link #offsets}). */
  static void printMedians(String title, List<Map<String, Double>> runs) {
    Map<String, List<Double>> byPhase = new java.util.LinkedHashMap<>();
    for (Map<String, Double> r : runs) {
      r.forEach((k, v) -> byPhase.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }
    System.out.println(title);
    byPhase.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-14s p50 %7.1f ms  max %7.1f ms  (of %d)%n", k,
        BenchStats.percentile(v, 50), BenchStats.percentile(v, 100), v.size()));
  }

  @Override
  public void close() throws Exception {
    watch.close();
  }
}
