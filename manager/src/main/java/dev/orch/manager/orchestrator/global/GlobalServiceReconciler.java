package dev.orch.manager.orchestrator.global;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.Commits;
import dev.orch.manager.orchestrator.Decision;
import dev.orch.manager.orchestrator.EligibleNodes;
import dev.orch.manager.orchestrator.ServiceModes;
import dev.orch.manager.orchestrator.SlotPlan;
import dev.orch.manager.orchestrator.Slots;
import dev.orch.manager.orchestrator.TaskFactory;
import dev.orch.manager.orchestrator.JobRuns;
import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.manager.orchestrator.Wakeups;
import dev.orch.manager.orchestrator.WorkQueue;
import dev.orch.proto.Node;
import dev.orch.proto.Service;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Converges a global service (or global job): a slot per node where the service may start, each
 * with one wanted task held to that node. A node that joins, comes back or starts matching the
 * constraints gets a task; a node that is drained, goes down, is removed or stops matching loses
 * its task. A paused node keeps what it runs and gets nothing new, as in Swarm. Ended tasks are
 * the restart supervisor's (a completed global-job task ends its slot); rolling a new spec out is
 * the updater's, except for global jobs, where a new spec is a new run and the old tasks stop.
 */
public final class GlobalServiceReconciler implements WorkQueue.Reconciler<String> {
  private final StoreWriter writer;
  private final TaskFactory tasks;

  public GlobalServiceReconciler(StoreWriter writer, TaskFactory tasks) {
    this.writer = writer;
    this.tasks = tasks;
  }

  private record State(Optional<Service> service, List<Task> tasks, Collection<Node> nodes) {}

  @Override
  public void reconcile(String serviceId) {
    State s = writer.store().read(v -> {
      Optional<Service> service = v.service(serviceId).filter(x -> ServiceModes.isGlobal(x.getSpec()));
      // Every service's changes come here; only global ones are worth copying their tasks for.
      return service.isEmpty() ? new State(service, List.of(), List.of())
          : new State(service, List.copyOf(v.tasksByService(serviceId)), List.copyOf(v.nodes()));
    });
    if (s.service().isEmpty()) {
      return;
    }
    Commits.apply(writer, Wakeups.NONE, serviceId, decide(s.service().get(), s.tasks(), s.nodes()),
        "converging global service");
  }

  /** The actions that give each eligible node one task of {@code service} and others none. */
  public Decision decide(Service service, List<Task> all, Collection<Node> nodes) {
    Set<String> mayRun = EligibleNodes.mayRun(nodes, service.getSpec());
    Set<String> mayStart = EligibleNodes.mayStart(nodes, service.getSpec());
    boolean job = ServiceModes.isJob(service.getSpec());
    List<StoreAction> out = new ArrayList<>();
    Set<String> unavailable = new HashSet<>();
    all.forEach(t -> {
      if (!t.getNodeId().isEmpty() && !mayRun.contains(t.getNodeId())) {
        unavailable.add(t.getNodeId());
      }
    });
    Map<String, List<Task>> slots = Slots.group(all);
    Set<String> covered = new TreeSet<>();
    for (Map.Entry<String, List<Task>> e : slots.entrySet()) {
      List<Task> inSlot = e.getValue();
      String nodeId = inSlot.get(0).getGlobalNodeId();
      if (nodeId.isEmpty()) {
        inSlot.stream().filter(TaskStates::wanted).forEach(t -> out.add(SlotPlan.shutDownAction(t)));
        continue; // a task from before the service was global: not a slot of this service
      }
      covered.add(nodeId);
      if (!mayRun.contains(nodeId)) {
        inSlot.stream().filter(TaskStates::wanted).forEach(t -> out.add(SlotPlan.shutDownAction(t)));
        continue;
      }
      List<Task> slotTasks = job ? JobRuns.stopOldRuns(service, inSlot, out) : inSlot;
      SlotPlan.Decision d = SlotPlan.decide(slotTasks, unavailable);
      d.shutDown().forEach(t -> out.add(SlotPlan.shutDownAction(t)));
      if (d.needsTask() && mayStart.contains(nodeId)) {
        out.add(Actions.create(tasks.newTask(service, nodeId)));
      }
    }
    for (String nodeId : new TreeSet<>(mayStart)) {
      if (!covered.contains(nodeId)) {
        out.add(Actions.create(tasks.newTask(service, nodeId)));
      }
    }
    return Decision.of(out);
  }
}
