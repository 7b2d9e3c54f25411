package dev.orch.manager.orchestrator;

import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.constraint.ConstraintEnforcer;
import dev.orch.manager.orchestrator.global.GlobalServiceReconciler;
import dev.orch.manager.orchestrator.job.ReplicatedJobReconciler;
import dev.orch.manager.orchestrator.reaper.TaskReaper;
import dev.orch.manager.orchestrator.restart.RestartSupervisor;
import dev.orch.manager.orchestrator.update.ServiceUpdater;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;
import dev.orch.proto.WatchEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The service-lifecycle controllers of one leadership term: restart supervisor, updater, global
 * and replicated-job orchestrators, constraint enforcer and task reaper. Each is its own
 * {@link WorkQueue} keyed by service id; {@link LeaderControllers} starts and stops them with
 * the rest and hands them the watch events, which only mark keys dirty here.
 */
final class LifecycleControllers implements AutoCloseable {
  /** The key of {@link #nodeEvents} that stands for a change of the cluster's settings. */
  private static final String CLUSTER_KEY = "*cluster*";

  private final List<WorkQueue<String>> perService = new ArrayList<>();
  private final WorkQueue<String> nodeEvents;
  private final WorkQueue<String> reaper;
  private final WorkQueue<String> constraints;
  // Not final only because their own reconcilers' wake-ups refer to them; set once, before start().
  private WorkQueue<String> restarts;
  private WorkQueue<String> updates;
  private final StoreWriter writer;

  LifecycleControllers(StoreWriter writer, TaskFactory factory, Clock clock, Random random, Duration resync,
      MeterRegistry metrics) {
    this.writer = writer;
    Supplier<java.util.Collection<String>> allServices = () -> writer.store().read(v -> {
      Set<String> ids = new HashSet<>();
      v.services().forEach(s -> ids.add(s.getMeta().getId()));
      return ids;
    });
    // The wake-ups read the queue fields when they fire, after the constructor has set them.
    restarts = add(new WorkQueue<>("restart-supervisor",
        new RestartSupervisor(writer, factory, clock, (key, at) -> wake(restarts, key, at, clock)),
        allServices, resync, new Random(random.nextLong()), metrics));
    updates = add(new WorkQueue<>("updater",
        new ServiceUpdater(writer, factory, clock, (key, at) -> wake(updates, key, at, clock)),
        allServices, resync, new Random(random.nextLong()), metrics));
    add(new WorkQueue<>("global-orchestrator", new GlobalServiceReconciler(writer, factory),
        allServices, resync, new Random(random.nextLong()), metrics));
    add(new WorkQueue<>("job-orchestrator", new ReplicatedJobReconciler(writer, factory),
        allServices, resync, new Random(random.nextLong()), metrics));
    constraints = add(new WorkQueue<>("constraint-enforcer", new ConstraintEnforcer(writer),
        allServices, resync, new Random(random.nextLong()), metrics));
    reaper = add(new WorkQueue<>("task-reaper", new TaskReaper(writer),
        allServices, resync, new Random(random.nextLong()), metrics));
    // A node that joins, drains, goes down or changes labels concerns every global service and
    // every service with tasks on it.
    nodeEvents = new WorkQueue<>("lifecycle-node-events", this::nodeChanged, List::of, resync,
        new Random(random.nextLong()), metrics);
  }

  private static void wake(WorkQueue<String> queue, String key, long at, Clock clock) {
    queue.addAfter(key, Duration.ofMillis(at - clock.millis()));
  }

  private WorkQueue<String> add(WorkQueue<String> q) {
    perService.add(q);
    return q;
  }

  void start() {
    nodeEvents.start();
    perService.forEach(WorkQueue::start);
  }

  private void nodeChanged(String nodeId) {
    if (nodeId.equals(CLUSTER_KEY)) {
      // The task history limit may have changed: every service's history is reaped again.
      writer.store().read(v -> v.services().stream().map(s -> s.getMeta().getId()).toList()).forEach(reaper::add);
      return;
    }
    Set<String> services = writer.store().read(v -> {
      Set<String> ids = new HashSet<>();
      v.tasksByNode(nodeId).forEach(t -> ids.add(t.getServiceId()));
      v.services().stream().filter(s -> ServiceModes.isGlobal(s.getSpec())).forEach(s -> ids.add(s.getMeta().getId()));
      return ids;
    });
    services.forEach(this::serviceChanged);
  }

  private void serviceChanged(String serviceId) {
    perService.forEach(q -> q.add(serviceId));
  }

  /**
   * A task's change concerns its service's controllers, but not every controller cares about each
   * status report, and a reconcile reads every task of the service (10,000 for a large one):
   * the constraint enforcer depends only on nodes and the service (the scheduler places tasks on
   * matching nodes; a placement that raced a label change is caught by the resync), the restart
   * supervisor only on tasks that ended.
   */
  private void taskChanged(Task t) {
    for (WorkQueue<String> q : perService) {
      if (q == constraints || q == restarts && !TaskStates.finished(t)) {
        continue;
      }
      q.add(t.getServiceId());
    }
  }

  /** Runs on the store's apply thread: only marks keys dirty. */
  void route(List<WatchEvent> events) {
    for (WatchEvent e : events) {
      StoredObject o = e.getObject();
      switch (o.getObjectCase()) {
        case SERVICE -> serviceChanged(o.getService().getMeta().getId());
        case TASK -> taskChanged(o.getTask());
        case NODE -> nodeEvents.add(o.getNode().getMeta().getId());
        case CLUSTER -> nodeEvents.add(CLUSTER_KEY);
        default -> { }
      }
    }
  }

  @Override
  public void close() {
    nodeEvents.close();
    perService.forEach(WorkQueue::close);
  }
}
