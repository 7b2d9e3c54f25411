package dev.orch.scheduler.bench;

import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.Placement;
import dev.orch.proto.PlacementStrategy;
import dev.orch.proto.Resources;
import dev.orch.proto.Task;
import dev.orch.proto.TaskSpec;
import dev.orch.scheduler.PlacementDecision;
import dev.orch.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One scheduling pass of 100,000 pending tasks onto 5,000 nodes, on one thread. The score is
 * placements per second (one operation = one task placed).
 *
 * <p>The cluster: 5,000 ready workers in 5 zones of 20 racks, half with SSDs, one in fifty drained,
 * each with 64 GiB and 32 CPUs. The tasks: 100 services of 1,000 replicas, each reserving 256 MiB
 * and 0.1 CPU, with two constraints ({@code node.role==worker} and, for every other service,
 * {@code node.labels.disk==ssd}, else {@code node.labels.zone!=z4}) and a spread preference over
 * zones; the binpack variant packs instead of spreading.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class SchedulerBenchmark {
  static final int NODES = 5_000;
  static final int SERVICES = 100;
  static final int REPLICAS = 1_000;
  static final int TASKS = SERVICES * REPLICAS;

  @Param({"spread", "binpack"})
  public String strategy;

  private List<Node> nodes;
  private List<Task> pending;
  private long seed;

  @Setup(Level.Trial)
  public void build() {
    nodes = nodes();
    pending = tasks(strategy.equals("binpack") ? PlacementStrategy.STRATEGY_BINPACK : PlacementStrategy.STRATEGY_SPREAD);
    // Measure the placing path, not the explaining one: every task of the scenario must fit.
    long unplaced = scheduleAll().stream().filter(d -> !d.placed()).count();
    if (unplaced > 0) {
      throw new IllegalStateException(unplaced + " tasks were not placed; the scenario is wrong");
    }
  }

  static List<Node> nodes() {
    List<Node> out = new ArrayList<>(NODES);
    for (int i = 0; i < NODES; i++) {
      out.add(Node.newBuilder()
          .setMeta(Meta.newBuilder().setId(String.format("node%05d", i)))
          .setSpec(NodeSpec.newBuilder().setRole(NodeRole.WORKER)
              .setAvailability(i % 50 == 49 ? NodeAvailability.DRAIN : NodeAvailability.ACTIVE)
              .putLabels("zone", "z" + (i % 5))
              .putLabels("rack", "r" + (i % 100))
              .putLabels("disk", i % 2 == 0 ? "ssd" : "hdd"))
          .setStatus(NodeStatus.newBuilder().setState(NodeState.NODE_READY))
          .setDescription(NodeDescription.newBuilder().setHostname("host" + i).setOs("linux").setArch("amd64")
              .setResources(Resources.newBuilder().setMemoryBytes(64L << 30).setNanoCpus(32_000_000_000L)))
          .build());
    }
    return out;
  }

  static List<Task> tasks(PlacementStrategy strategy) {
    List<Task> out = new ArrayList<>(TASKS);
    for (int s = 0; s < SERVICES; s++) {
      Placement.Builder placement = Placement.newBuilder()
          .addConstraints("node.role==worker")
          .addConstraints(s % 2 == 0 ? "node.labels.disk==ssd" : "node.labels.zone!=z4")
          .setStrategy(strategy);
      if (strategy == PlacementStrategy.STRATEGY_SPREAD) {
        placement.addPreferencesBuilder().setSpread("node.labels.zone");
      }
      TaskSpec spec = TaskSpec.newBuilder()
          .setReservations(Resources.newBuilder().setMemoryBytes(256L << 20).setNanoCpus(100_000_000L))
          .setPlacement(placement)
          .build();
      for (int r = 1; r <= REPLICAS; r++) {
        out.add(Task.newBuilder()
            .setMeta(Meta.newBuilder().setId(String.format("svc%03d-%05d", s, r)))
            .setServiceId(String.format("svc%03d", s))
            .setSlot(r)
            .setSpec(spec)
            .build());
      }
    }
    return out;
  }

  /** One pass over the whole batch; a fresh seed each time, as each real pass has its own draws. */
  @Benchmark
  @OperationsPerInvocation(TASKS)
  public List<PlacementDecision> scheduleAll() {
    return new Scheduler(new Random(seed++)).schedule(nodes, List.of(), pending);
  }
}
