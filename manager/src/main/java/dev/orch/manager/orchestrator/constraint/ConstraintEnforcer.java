package dev.orch.manager.orchestrator.constraint;

import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.Commits;
import dev.orch.manager.orchestrator.Decision;
import dev.orch.manager.orchestrator.EligibleNodes;
import dev.orch.manager.orchestrator.ServiceModes;
import dev.orch.manager.orchestrator.SlotPlan;
import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.manager.orchestrator.Wakeups;
import dev.orch.manager.orchestrator.WorkQueue;
import dev.orch.proto.Node;
import dev.orch.proto.Service;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the tasks of a service that sit on a node no longer matching the service's constraints
 * (a label removed, a constraint added by an update). The slot's orchestrator starts the
 * replacement, which the scheduler places on a matching node, once the old task has stopped.
 * Global services are left to the global orchestrator, whose eligible nodes already include
 * the constraints.
 */
public final class ConstraintEnforcer implements WorkQueue.Reconciler<String> {
  private static final Logger LOG = LoggerFactory.getLogger(ConstraintEnforcer.class);

  private final StoreWriter writer;

  public ConstraintEnforcer(StoreWriter writer) {
    this.writer = writer;
  }

  private record State(Optional<Service> service, List<Task> tasks, Map<String, Node> nodes) {}

  @Override
  public void reconcile(String serviceId) {
    State s = writer.store().read(v -> {
      Optional<Service> service = v.service(serviceId);
      if (service.isEmpty() || service.get().getSpec().getPlacement().getConstraintsCount() == 0) {
        return new State(Optional.empty(), List.of(), Map.of());
      }
      List<Task> tasks = List.copyOf(v.tasksByService(serviceId));
      Map<String, Node> nodes = tasks.stream().map(Task::getNodeId).filter(id -> !id.isEmpty()).distinct()
          .map(v::node).flatMap(Optional::stream)
          .collect(Collectors.toMap(n -> n.getMeta().getId(), Function.identity()));
      return new State(service, tasks, nodes);
    });
    if (s.service().isEmpty()) {
      return;
    }
    Decision d = decide(s.service().get(), s.tasks(), s.nodes());
    if (!d.actions().isEmpty()) {
      LOG.info("service {}: moving {} task(s) off nodes that no longer match its constraints",
          s.service().get().getSpec().getName(), d.actions().size());
    }
    Commits.apply(writer, Wakeups.NONE, serviceId, d, "enforcing constraints of service");
  }

  /** The shutdowns of live tasks whose node no longer matches; nodes absent are not this one's concern. */
  public static Decision decide(Service service, List<Task> tasks, Map<String, Node> nodes) {
    if (ServiceModes.isGlobal(service.getSpec())) {
      return Decision.NOTHING;
    }
    List<StoreAction> out = new ArrayList<>();
    for (Task t : tasks) {
      Node node = nodes.get(t.getNodeId());
      if (node != null && TaskStates.wanted(t) && !TaskStates.finished(t)
          && !EligibleNodes.matchesConstraints(node, service.getSpec())) {
        out.add(SlotPlan.shutDownAction(t));
      }
    }
    return Decision.of(out);
  }
}
