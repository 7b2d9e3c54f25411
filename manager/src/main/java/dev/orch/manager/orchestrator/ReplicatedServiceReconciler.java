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
import java.util.Optional;
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
    record State(Optional<Service> service, List<Task> tasks) {}
    State state =
        writer
            .store()
            .read(v -> new State(v.service(serviceId), List.copyOf(v.tasksByService(serviceId))));
    List<StoreAction> actions =
        state.service().isPresent()
            ? converge(state.service().get(), state.tasks())
            : cleanUpRemoved(state.tasks());
    if (actions.isEmpty()) {
      return;
    }
    TransactionResult r = writer.submit(actions);
    if (!r.getOk()) {
      throw new IllegalStateException("service " + serviceId + ": " + r.getError());
    }
  }

  /** Computes the actions that converge {@code service}; public for direct tests. */
  public List<StoreAction> converge(Service service, List<Task> all) {
    List<StoreAction> out = new ArrayList<>();
    long replicas = service.getSpec().getReplicas();
    Map<Long, List<Task>> bySlot =
        all.stream().collect(Collectors.groupingBy(Task::getSlot, TreeMap::new, Collectors.toList()));
    for (long slot = 1; slot <= replicas; slot++) {
      List<Task> inSlot = bySlot.getOrDefault(slot, List.of());
      List<Task> wanted = inSlot.stream().filter(TaskStates::wanted).toList();
      Task keep = wanted.stream().filter(t -> !TaskStates.finished(t)).max(NEWEST).orElse(null);
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
