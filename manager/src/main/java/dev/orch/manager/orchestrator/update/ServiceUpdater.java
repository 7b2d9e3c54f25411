package dev.orch.manager.orchestrator.update;

import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.Commits;
import dev.orch.manager.orchestrator.EligibleNodes;
import dev.orch.manager.orchestrator.ServiceModes;
import dev.orch.manager.orchestrator.Slots;
import dev.orch.manager.orchestrator.TaskFactory;
import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.manager.orchestrator.Wakeups;
import dev.orch.manager.orchestrator.WorkQueue;
import dev.orch.proto.Node;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The updater: for a service whose update or rollback is under way, decides the next step with
 * {@link UpdatePlan} from one read of the store and commits it; task changes and the monitor and
 * delay timers bring it back until the update completes, pauses or rolls back. The Control API
 * starts updates (it keeps the previous spec and sets UPDATING or ROLLBACK_STARTED); the updater
 * only moves them on.
 */
public final class ServiceUpdater implements WorkQueue.Reconciler<String> {
  private final StoreWriter writer;
  private final UpdatePlan plan;
  private final Clock clock;
  private final Wakeups wakeups;

  public ServiceUpdater(StoreWriter writer, TaskFactory tasks, Clock clock, Wakeups wakeups) {
    this.writer = writer;
    this.plan = new UpdatePlan(tasks);
    this.clock = clock;
    this.wakeups = wakeups;
  }

  private record State(Optional<Service> service, List<Task> tasks, Collection<String> slots) {}

  @Override
  public void reconcile(String serviceId) {
    State s = writer.store().read(v -> {
      Optional<Service> service = v.service(serviceId).filter(UpdatePlan::active);
      if (service.isEmpty()) {
        return new State(service, List.of(), List.of()); // the common case: nothing to roll out
      }
      List<Task> tasks = List.copyOf(v.tasksByService(serviceId));
      return new State(service, tasks, slotKeys(service.get(), tasks, v.nodes()));
    });
    if (s.service().isEmpty() || ServiceModes.isJob(s.service().get().getSpec())) {
      return;
    }
    Commits.apply(writer, wakeups, serviceId, plan.decide(s.service().get(), s.tasks(), s.slots(), clock.millis()),
        "updating service");
  }

  /**
   * The slots an update covers: 1..replicas, or for a global service the nodes where it may start
   * a task plus those where it may keep one it has (a paused node keeps its task and is updated).
   */
  static Collection<String> slotKeys(Service service, List<Task> tasks, Collection<Node> nodes) {
    if (!ServiceModes.isGlobal(service.getSpec())) {
      List<String> keys = new ArrayList<>();
      for (long n = 1; n <= service.getSpec().getReplicas(); n++) {
        keys.add(Slots.numbered(n));
      }
      return keys;
    }
    Set<String> mayRun = EligibleNodes.mayRun(nodes, service.getSpec());
    Set<String> keys = new TreeSet<>();
    EligibleNodes.mayStart(nodes, service.getSpec()).forEach(n -> keys.add(Slots.onNode(n)));
    tasks.stream().filter(t -> TaskStates.wanted(t) && mayRun.contains(t.getGlobalNodeId()))
        .forEach(t -> keys.add(Slots.onNode(t.getGlobalNodeId())));
    return keys;
  }
}
