package dev.orch.manager.orchestrator;

import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.Service;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.WatchEvent;
import dev.orch.scheduler.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controllers that run only on the leader. They start when this manager gains leadership and
 * stop when it loses it; a new leader's first resync reconciles everything from the store.
 */
public final class LeaderControllers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderControllers.class);
  private static final Duration RESYNC = Duration.ofSeconds(30);

  private final StoreWriter writer;
  private final Clock clock;
  private final Random random;
  private final MeterRegistry metrics;
  private Running running;

  public LeaderControllers(StoreWriter writer, Clock clock, Random random, MeterRegistry metrics) {
    this.writer = writer;
    this.clock = clock;
    this.random = random;
    this.metrics = metrics;
  }

  /** Called with the leadership state; starts or stops the controllers. */
  public synchronized void onLeadership(boolean leader) {
    if (leader && running == null) {
      LOG.info("became leader: starting controllers");
      running = new Running();
    } else if (!leader && running != null) {
      LOG.info("lost leadership: stopping controllers");
      running.close();
      running = null;
    }
  }

  @Override
  public synchronized void close() {
    onLeadership(false);
  }

  /** The controllers of one leadership term. */
  private final class Running implements AutoCloseable {
    private final WorkQueue<String> services;
    private final WorkQueue<String> allocator;
    private final TaskAllocator allocation;
    private final WorkQueue<String> scheduler;
    private final WorkQueue<String> nodeEvents;
    private final LifecycleControllers lifecycle;
    private final AutoCloseable watch;

    Running() {
      TaskFactory factory = new TaskFactory(new Ids(random), clock);
      services = new WorkQueue<>("replicated-orchestrator",
          new ReplicatedServiceReconciler(writer, factory),
          () -> writer.store().read(v -> {
            var ids = new java.util.HashSet<String>();
            v.services().forEach(s -> ids.add(s.getMeta().getId()));
            v.tasks().forEach(t -> ids.add(t.getServiceId()));
            return ids;
          }),
          RESYNC, new Random(random.nextLong()), metrics);
      allocation = new TaskAllocator(writer, clock);
      allocator = new WorkQueue<>("allocator", allocation,
          () -> {
            allocation.fullPassNext();
            return List.of(TaskAllocator.ALL);
          }, RESYNC, new Random(random.nextLong()), metrics);
      scheduler = new WorkQueue<>("scheduler",
          new TaskSchedulerController(writer, new Scheduler(new Random(random.nextLong())), clock),
          () -> List.of(TaskSchedulerController.ALL), RESYNC, new Random(random.nextLong()), metrics);
      // A node going down, draining or coming back concerns every service with tasks there.
      nodeEvents = new WorkQueue<>("node-events",
          nodeId -> writer.store().read(v -> v.tasksByNode(nodeId)).forEach(t -> services.add(t.getServiceId())),
          List::of, RESYNC, new Random(random.nextLong()), metrics);
      lifecycle = new LifecycleControllers(writer, factory, clock, random, RESYNC, metrics);
      watch = writer.store().watch(this::route);
      lifecycle.start();
      nodeEvents.start();
      services.start();
      allocator.start();
      scheduler.start();
    }

    /** Runs on the store's apply thread: only marks keys dirty. */
    private void route(List<WatchEvent> events) {
      lifecycle.route(events);
      for (WatchEvent e : events) {
        StoredObject o = e.getObject();
        allocation.observe(e);
        switch (o.getObjectCase()) {
          case SERVICE -> {
            services.add(serviceId(o.getService()));
            allocator.add(TaskAllocator.ALL); // its VIPs and published ports
          }
          case TASK -> routeTask(o.getTask(), e.getType() == dev.orch.proto.ActionType.DELETE);
          case NETWORK -> allocator.add(TaskAllocator.ALL);
          case NODE -> {
            scheduler.add(TaskSchedulerController.ALL);
            if (o.getNode().getIngressAddr().isEmpty() || e.getType() == dev.orch.proto.ActionType.DELETE) {
              allocator.add(TaskAllocator.ALL); // its address on ingress
            }
            nodeEvents.add(o.getNode().getMeta().getId());
          }
          default -> { }
        }
      }
    }

    private void routeTask(Task t, boolean deleted) {
      services.add(t.getServiceId());
      if (t.getNetworksCount() > 0 && (deleted || TaskStates.finished(t))) {
        allocator.add(TaskAllocator.ALL); // its addresses go back to the pools
      }
      if (t.getStatus().getState() == TaskState.NEW) {
        allocator.add(TaskAllocator.ALL);
      } else if (t.getStatus().getState() == TaskState.PENDING) {
        scheduler.add(TaskSchedulerController.ALL);
      } else if (TaskStates.finished(t)) {
        // A finished task frees its node's resources for pending ones.
        scheduler.add(TaskSchedulerController.ALL);
      }
    }

    private String serviceId(Service s) {
      return s.getMeta().getId();
    }

    @Override
    public void close() {
      try {
        watch.close();
      } catch (Exception e) {
        LOG.warn("closing watch: {}", e.toString());
      }
      lifecycle.close();
      nodeEvents.close();
      services.close();
      allocator.close();
      scheduler.close();
    }
  }
}
