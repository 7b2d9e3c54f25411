package dev.orch.manager.orchestrator;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.Service;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TransactionResult;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Converges a replicated service: exactly one wanted task per slot 1..replicas, a replacement in
 * the same slot when a task has ended, highest slots shut down on scale-down, and the tasks of a
 * removed service deleted once their containers are gone. It also reaps finished tasks beyond the
 * history limit of each slot.
 */
public final class ReplicatedServiceReconciler implements WorkQueue.Reconciler<String> {
  static final int TASK_HISTORY_LIMIT = 5;

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
        state.service().isPresent()
            ? converge(state.service().get(), state.tasks(), state.unavailable())
            : cleanUpRemoved(state.tasks());
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
      List<Task> inSlot = bySlot.getOrDefault(slot, List.of());
      List<Task> wanted = inSlot.stream().filter(TaskStates::wanted).toList();
      Task keep = wanted.stream()
          .filter(t -> !TaskStates.finished(t) && !unavailableNodes.contains(t.getNodeId()))
          .max(NEWEST).orElse(null);
      for (Task t : wanted) {
        if (t != keep) {
          out.add(shutDown(t));
        }
      }
      if (keep == null) {
        out.add(Actions.create(tasks.newTask(service, slot)));
      }
    }
    for (Map.Entry<Long, List<Task>> e : bySlot.entrySet()) {
      if (e.getKey() > replicas) {
        e.getValue().stream().filter(TaskStates::wanted).forEach(t -> out.add(shutDown(t)));
      }
    }
    reapHistory(bySlot, out);
    return out;
  }

  private static final Comparator<Task> NEWEST =
      Comparator.comparingLong((Task t) -> t.getMeta().getCreatedAtMs())
          .thenComparing(t -> t.getMeta().getId());

  private static StoreAction shutDown(Task t) {
    if (TaskStates.unassigned(t)) {
      // No agent will ever report on it; deleting is the whole shutdown.
      return Actions.delete(t);
    }
    return Actions.update(t.toBuilder().setDesiredState(TaskState.SHUTDOWN).build());
  }

  private static void reapHistory(Map<Long, List<Task>> bySlot, List<StoreAction> out) {
    for (List<Task> inSlot : bySlot.values()) {
      List<Task> history =
          inSlot.stream()
              .filter(t -> !TaskStates.wanted(t) && TaskStates.finished(t))
              .sorted(NEWEST.reversed())
              .toList();
      for (int i = TASK_HISTORY_LIMIT; i < history.size(); i++) {
        out.add(Actions.delete(history.get(i)));
      }
    }
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
