package dev.orch.scheduler;

import dev.orch.proto.Placement;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PublishMode;
import dev.orch.proto.Resources;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pending tasks that the scheduler may treat alike: same service, same reservations, same
 * placement. The checks that do not depend on the pass (readiness, availability, constraints) run
 * once per group instead of once per task, which is what makes large batches cheap.
 */
final class TaskGroup {
  private record Key(String serviceId, Resources reservations, Placement placement, List<PortConfig> hostPorts) {}

  final String serviceId;
  final Resources reservations;
  final Placement placement;
  /** Host-mode published ports: two tasks publishing one can never share a node. */
  final List<PortConfig> hostPorts;
  final List<Task> tasks = new ArrayList<>();
  /** Where each task stands in the caller's list, so decisions come back in the caller's order. */
  final List<Integer> positions = new ArrayList<>();

  private TaskGroup(Key key) {
    this.serviceId = key.serviceId();
    this.reservations = key.reservations();
    this.placement = key.placement();
    this.hostPorts = key.hostPorts();
  }

  /** Groups {@code pending}, keeping the order in which each group first appears. */
  static List<TaskGroup> of(List<Task> pending) {
    Map<Key, TaskGroup> groups = new LinkedHashMap<>();
    for (int i = 0; i < pending.size(); i++) {
      Task t = pending.get(i);
      Key key = new Key(t.getServiceId(), t.getSpec().getReservations(), t.getSpec().getPlacement(),
          t.getSpec().getPortsCount() == 0 ? List.of() : t.getSpec().getPortsList().stream()
              .filter(p -> p.getMode() == PublishMode.PUBLISH_HOST).toList());
      TaskGroup g = groups.computeIfAbsent(key, TaskGroup::new);
      g.tasks.add(t);
      g.positions.add(i);
    }
    return new ArrayList<>(groups.values());
  }
}
