package dev.orch.manager.orchestrator;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.Service;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TransactionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeState;
import dev.orch.store.StoreView;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Converges a replicated service: exactly one wanted task per slot 1..replicas, highest slots shut
 * down on scale-down, and the tasks of a removed service (of any mode) deleted once their
 * containers are gone. A slot whose task has ended is the restart supervisor's to refill, and
 * finished tasks beyond the history limit are the task reaper's; see {@link SlotPlan} for how a
 * slot is shared with them and with the updater.
 */
public final class ReplicatedServiceReconciler implements WorkQueue.Reconciler<String> {
  private final StoreWriter writer;
  private final TaskFactory tasks;

  public ReplicatedServiceReconciler(StoreWriter writer, TaskFactory tasks) {
    this.writer = writer;
    this.tasks = tasks;
  }

  @Override
  public void reconcile(String serviceId) {
    record State(Optional<Service> service, List<Task> tasks, Set<String> unavailable) {}
    State state =
        writer
            .store()
            .read(v -> {
              List<Task> tasks = List.copyOf(v.tasksByService(serviceId));
              return new State(v.service(serviceId), tasks, unavailableNodes(v, tasks));
            });
    List<StoreAction> actions =
        state.service().isEmpty() ? cleanUpRemoved(state.tasks())
            : ServiceModes.isReplicated(state.service().get().getSpec())
                ? converge(state.service().get(), state.tasks(), state.unavailable())
                : List.of(); // global services and jobs have their own orchestrators
    if (actions.isEmpty()) {
      return;
    }
    TransactionResult r = writer.submit(actions);
    if (!r.getOk()) {
      throw new IllegalStateException("service " + serviceId + ": " + r.getError());
    }
  }

  /**
   * Nodes whose tasks must be replaced elsewhere: down (heartbeats stopped), drained, or removed.
   * A task there is given desired state SHUTDOWN, so the node stops it if it comes back.
   */
  static Set<String> unavailableNodes(StoreView v, List<Task> tasks) {
    Set<String> out = new HashSet<>();
    for (Task t : tasks) {
      String n = t.getNodeId();
      if (!n.isEmpty() && !out.contains(n)) {
        Optional<Node> node = v.node(n);
        if (node.isEmpty() || node.get().getStatus().getState() == NodeState.NODE_DOWN
            || node.get().getSpec().getAvailability() == NodeAvailability.DRAIN) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /** Computes the actions that converge {@code service}; public for direct tests. */
  public List<StoreAction> converge(Service service, List<Task> all) {
    return converge(service, all, Set.of());
  }

  /** As {@link #converge(Service, List)}, replacing tasks on {@code unavailableNodes}. */
  public List<StoreAction> converge(Service service, List<Task> all, Set<String> unavailableNodes) {
    List<StoreAction> out = new ArrayList<>();
    long replicas = service.getSpec().getReplicas();
    Map<Long, List<Task>> bySlot =
        all.stream().collect(Collectors.groupingBy(Task::getSlot, TreeMap::new, Collectors.toList()));
    for (long slot = 1; slot <= replicas; slot++) {
      SlotPlan.Decision d = SlotPlan.decide(bySlot.getOrDefault(slot, List.of()), unavailableNodes);
      d.shutDown().forEach(t -> out.add(shutDown(t)));
      if (d.needsTask()) {
        out.add(Actions.create(tasks.newTask(service, slot)));
      }
    }
    for (Map.Entry<Long, List<Task>> e : bySlot.entrySet()) {
      if (e.getKey() > replicas) {
        e.getValue().stream().filter(TaskStates::wanted).forEach(t -> out.add(shutDown(t)));
      }
    }
    return out;
  }

  private static StoreAction shutDown(Task t) {
    return SlotPlan.shutDownAction(t);
  }

  /** The service is gone: ask agents to remove its containers, delete tasks that have none. */
  private static List<StoreAction> cleanUpRemoved(List<Task> orphans) {
    List<StoreAction> out = new ArrayList<>();
    for (Task t : orphans) {
      if (TaskStates.unassigned(t) || (TaskStates.finished(t) && t.getDesiredState() == TaskState.REMOVE)) {
        out.add(Actions.delete(t));
      } else if (t.getDesiredState() != TaskState.REMOVE) {
        out.add(Actions.update(t.toBuilder().setDesiredState(TaskState.REMOVE).build()));
      }
    }
    return out;
  }
}
