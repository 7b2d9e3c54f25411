package dev.orch.manager.metrics;

import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.store.Store;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** Gauges of tasks by observed state, computed from the store when scraped. */
public final class TaskStateGauges {
  private TaskStateGauges() {}

  public static void register(Store store, MeterRegistry registry) {
    for (TaskState s : TaskState.values()) {
      if (s == TaskState.UNRECOGNIZED) {
        continue;
      }
      Gauge.builder("orch.tasks", store, st -> count(st).getOrDefault(s, 0L))
          .tag("state", s.name().toLowerCase())
          .description("Tasks by observed state")
          .register(registry);
    }
  }

  private static Map<TaskState, Long> count(Store store) {
    return store.read(v -> {
      Map<TaskState, Long> m = new EnumMap<>(TaskState.class);
      for (Task t : v.tasks()) {
        m.merge(t.getStatus().getState(), 1L, Long::sum);
      }
      return m;
    });
  }
}
