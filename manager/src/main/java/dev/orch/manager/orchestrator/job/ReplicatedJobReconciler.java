package dev.orch.manager.orchestrator.job;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.Commits;
import dev.orch.manager.orchestrator.Decision;
import dev.orch.manager.orchestrator.EligibleNodes;
import dev.orch.manager.orchestrator.JobRuns;
import dev.orch.manager.orchestrator.ServiceDefaults;
import dev.orch.manager.orchestrator.SlotPlan;
import dev.orch.manager.orchestrator.Slots;
import dev.orch.manager.orchestrator.TaskFactory;
import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.manager.orchestrator.Wakeups;
import dev.orch.manager.orchestrator.WorkQueue;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Converges a replicated job: slots 1..replicas each need one completed task, and at most
 * max-concurrent slots are active at once. A slot is active while its task is live, while an ended
 * task waits for the restart supervisor (its restart would otherwise exceed the bound), and while
 * a task of an earlier run is still stopping. Slots start lowest first as others finish; a completed
 * slot is done for this run of the job.
 */
public final class ReplicatedJobReconciler implements WorkQueue.Reconciler<String> {
  private final StoreWriter writer;
  private final TaskFactory tasks;

  public ReplicatedJobReconciler(StoreWriter writer, TaskFactory tasks) {
    this.writer = writer;
    this.tasks = tasks;
  }

  private record State(Optional<Service> service, List<Task> tasks, Set<String> unavailable) {}

  @Override
  public void reconcile(String serviceId) {
    State s = writer.store().read(v -> {
      Optional<Service> service = v.service(serviceId)
          .filter(x -> x.getSpec().getMode() == ServiceMode.MODE_REPLICATED_JOB);
      if (service.isEmpty()) {
        return new State(service, List.of(), Set.of()); // not a job: nothing to copy
      }
      List<Task> all = List.copyOf(v.tasksByService(serviceId));
      Set<String> unavailable = new HashSet<>();
      service.ifPresent(x -> {
        Set<String> mayRun = EligibleNodes.mayRun(v.nodes(), x.getSpec());
        all.forEach(t -> {
          if (!t.getNodeId().isEmpty() && !mayRun.contains(t.getNodeId())) {
            unavailable.add(t.getNodeId());
          }
        });
      });
      return new State(service, all, unavailable);
    });
    if (s.service().isEmpty()) {
      return;
    }
    Commits.apply(writer, Wakeups.NONE, serviceId, decide(s.service().get(), s.tasks(), s.unavailable()),
        "converging job");
  }

  /** The actions that move the job towards its completions without exceeding max-concurrent. */
  public Decision decide(Service service, List<Task> all, Set<String> unavailableNodes) {
    long completions = service.getSpec().getReplicas();
    long maxConcurrent = ServiceDefaults.maxConcurrent(service.getSpec());
    Map<String, List<Task>> bySlot = Slots.group(all);
    List<StoreAction> out = new ArrayList<>();
    List<Long> startable = new ArrayList<>();
    long active = 0;
    for (long slot = 1; slot <= completions; slot++) {
      List<Task> inSlot = JobRuns.stopOldRuns(service, bySlot.getOrDefault(Slots.numbered(slot), List.of()), out);
      SlotPlan.Decision d = SlotPlan.decide(inSlot, unavailableNodes);
      d.shutDown().forEach(t -> out.add(SlotPlan.shutDownAction(t)));
      if (d.live() != null || awaitingRestart(inSlot) || stopping(inSlot, unavailableNodes)) {
        active++;
      } else if (d.needsTask()) {
        startable.add(slot);
      }
    }
    for (Map.Entry<String, List<Task>> e : bySlot.entrySet()) {
      if (e.getKey().startsWith("slot:") && Long.parseLong(e.getKey().substring(5)) > completions) {
        e.getValue().stream().filter(TaskStates::wanted).forEach(t -> out.add(SlotPlan.shutDownAction(t)));
      }
    }
    for (long slot : startable) {
      if (active >= maxConcurrent) {
        break;
      }
      out.add(Actions.create(tasks.newTask(service, slot)));
      active++;
    }
    return Decision.of(out);
  }

  /** An ended task that the restart supervisor has yet to decide on. */
  private static boolean awaitingRestart(List<Task> inSlot) {
    return inSlot.stream().anyMatch(t -> TaskStates.wanted(t) && TaskStates.finished(t)
        && t.getStatus().getState() != TaskState.COMPLETE && !t.getRestarts().getGivenUp());
  }

  private static boolean stopping(List<Task> inSlot, Set<String> unavailableNodes) {
    return inSlot.stream().anyMatch(t -> !TaskStates.wanted(t) && !TaskStates.finished(t)
        && !TaskStates.unassigned(t) && !unavailableNodes.contains(t.getNodeId()));
  }
}
