package dev.orch.bench;

import dev.orch.manager.security.AdminChannels;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.ListNodesRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeState;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fault → all replacements RUNNING, on a test bed whose node 1 is the manager and nodes 2..N
 * workers (set up by deploy/bin/orch-bench-faults, which runs this inside node 1's namespace).
 * Alternates a crash (kill -9 of a worker's orchd and containers) and a cut link; after each
 * fault it restores the node and waits until the cluster is whole again before the next one.
 */
@Command(name = "fault-bench", mixinStandardHelpOptions = true)
public final class FaultBench implements Callable<Integer> {
  @Option(names = "--bed", required = true) String bed;
  @Option(names = "--manager", required = true) String manager;
  @Option(names = "--admin-bundle", required = true) Path bundle;
  @Option(names = "--service", defaultValue = "bench") String service;
  @Option(names = "--replicas", defaultValue = "9") int replicas;
  @Option(names = "--workers", defaultValue = "3") int workers;
  @Option(names = "--faults", defaultValue = "20") int faults;
  @Option(names = "--testbed", required = true) Path testbed;
  @Option(names = "--orchd", required = true) Path orchd;

  private ControlGrpc.ControlBlockingStub control;

  @Override
  public Integer call() throws Exception {
    ManagedChannel ch = AdminChannels.open(bundle, manager);
    List<Double> times = new ArrayList<>();
    try {
      control = ControlGrpc.newBlockingStub(ch);
      for (int node = 1; node <= workers + 1; node++) {
        // The node's container cgroups go with the test bed (testbed down removes recorded ones).
        NodeCrash.recordCgroup(Path.of(nodeDataDir(node)).getParent(), "orch/" + nodeIdOf(node));
      }
      for (int f = 1; f <= faults; f++) {
        control = ControlGrpc.newBlockingStub(ch);
        int node = 2 + (f - 1) % workers;
        String nodeId = nodeIdOf(node);
        awaitWhole(nodeId);
        boolean crash = f % 2 == 1;
        long start = System.nanoTime();
        if (crash) {
          sh(testbed.toString(), "--name", bed, "kill", Integer.toString(node), "KILL");
          crash(nodeDataDir(node), nodeId);
        } else {
          sh(testbed.toString(), "--name", bed, "partition", Integer.toString(node));
        }
        while (!replacedAwayFrom(nodeId)) {
          Thread.sleep(10); // measurement polling interval
        }
        double s = (System.nanoTime() - start) / 1e9;
        times.add(s);
        System.out.printf(Locale.ROOT, "fault %2d: %-9s of node %d -> all %d replicas RUNNING elsewhere in %.2f s%n",
            f, crash ? "kill -9" : "link cut", node, replicas, s);
        if (crash) {
          sh(testbed.toString(), "--name", bed, "start", Integer.toString(node), orchd.toString(), "run",
              "--data-dir", "{data}");
        } else {
          sh(testbed.toString(), "--name", bed, "heal", Integer.toString(node));
        }
      }
    } finally {
      ch.shutdownNow();
    }
    Collections.sort(times);
    System.out.printf(Locale.ROOT, "%nfault -> replacements RUNNING over %d faults: p50 %.2f s, p99 %.2f s, max %.2f s%n",
        times.size(), percentile(times, 0.5), percentile(times, 0.99), times.get(times.size() - 1));
    return 0;
  }

  /** The node's orchd, its shims, and every process in its containers' cgroups: a machine crash. */
  private static void crash(String dataDir, String nodeId) throws Exception {
    NodeCrash.kill(NodeCrash.victims(dataDir, List.of(Path.of("/sys/fs/cgroup/pids/orch/" + nodeId),
        Path.of("/sys/fs/cgroup/orch/" + nodeId))));
  }

  private String nodeDataDir(int node) {
    return bundle.getParent().getParent().getParent().resolve("n" + node).resolve("data").toString();
  }

  private String nodeIdOf(int node) throws Exception {
    String addr = "10.250.0." + (10 + node);
    for (Node n : nodes()) {
      if (n.getStatus().getAddr().equals(addr)) {
        return n.getMeta().getId();
      }
    }
    throw new IllegalStateException("no node with address " + addr);
  }

  private List<Node> nodes() {
    return control.withDeadlineAfter(10, TimeUnit.SECONDS).listNodes(ListNodesRequest.getDefaultInstance())
        .getNodesList();
  }

  private List<Task> runningTasks() {
    return control.withDeadlineAfter(10, TimeUnit.SECONDS)
        .listTasks(ListTasksRequest.newBuilder().setService(service).build()).getTasksList().stream()
        .filter(t -> t.getStatus().getState() == TaskState.RUNNING && t.getDesiredState() == TaskState.RUNNING)
        .toList();
  }

  private boolean replacedAwayFrom(String nodeId) {
    List<Task> r = runningTasks();
    return r.size() == replicas && r.stream().noneMatch(t -> t.getNodeId().equals(nodeId));
  }

  /** Every node READY and the service running with one task per slot and nothing stale left running. */
  private void awaitWhole(String nextVictim) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      boolean allReady = nodes().stream().allMatch(n -> n.getStatus().getState() == NodeState.NODE_READY);
      List<Task> all = control.withDeadlineAfter(10, TimeUnit.SECONDS)
          .listTasks(ListTasksRequest.newBuilder().setService(service).build()).getTasksList();
      long running = all.stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).count();
      boolean victimHasTasks = runningTasks().stream().anyMatch(t -> t.getNodeId().equals(nextVictim));
      if (allReady && running == replicas && victimHasTasks) {
        return;
      }
      if (allReady && running == replicas && !victimHasTasks) {
        // Spread the service again so that the next fault hits running tasks.
        var svc = control.withDeadlineAfter(10, TimeUnit.SECONDS)
            .getService(dev.orch.proto.GetServiceRequest.newBuilder().setService(service).build()).getService();
        control.withDeadlineAfter(10, TimeUnit.SECONDS).updateService(dev.orch.proto.UpdateServiceRequest.newBuilder()
            .setService(service).setVersion(svc.getMeta().getVersion())
            .setSpec(svc.getSpec().toBuilder().setReplicas(svc.getSpec().getReplicas() + 1)).build());
        replicas++;
      }
      Thread.sleep(200);
    }
    StringBuilder why = new StringBuilder("the cluster did not become whole again within 120 s:");
    nodes().forEach(n -> why.append("\n  node ").append(n.getStatus().getAddr()).append(' ')
        .append(n.getStatus().getState()).append(' ').append(n.getSpec().getAvailability()));
    control.withDeadlineAfter(10, TimeUnit.SECONDS)
        .listTasks(ListTasksRequest.newBuilder().setService(service).build()).getTasksList().stream()
        .filter(t -> t.getStatus().getState().getNumber() <= TaskState.RUNNING_VALUE)
        .forEach(t -> why.append("\n  task ").append(t.getServiceName()).append('.').append(t.getSlot())
            .append(" on ").append(t.getNodeId()).append(' ').append(t.getStatus().getState())
            .append(" desired ").append(t.getDesiredState()).append(' ').append(t.getStatus().getErr()));
    throw new IllegalStateException(why.toString());
  }

  private static double percentile(List<Double> sorted, double p) {
    int idx = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  private static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " timed out");
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new FaultBench()).execute(args));
  }
}
