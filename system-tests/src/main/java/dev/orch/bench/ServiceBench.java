package dev.orch.bench;

import dev.orch.proto.ContainerSpec;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.RemoveServiceRequest;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures, on one real node: the time from {@code CreateService} with N replicas to N tasks
 * RUNNING, and the time from SIGKILL of a container's workload to its replacement RUNNING.
 * Starts its own node in a temporary data dir unless {@code --host} names a running one.
 */
@Command(name = "orch-bench", mixinStandardHelpOptions = true,
    description = "Service convergence benchmarks on one node.")
public final class ServiceBench implements Callable<Integer> {
  @Option(names = "--replicas", defaultValue = "50") int replicas;
  @Option(names = "--runs", defaultValue = "5") int runs;
  @Option(names = "--kills", defaultValue = "5") int kills;
  @Option(names = "--image", required = true, description = "Image archive to import (busybox).") Path image;
  @Option(names = "--kill-together", defaultValue = "0", description = "After each run's create, SIGKILL this many"
      + " workloads at once and print, per state, when the store applied it (median and slowest of the victims).")
  int killTogether;
  @Option(names = "--network", description = "Put the replicas on an overlay network (run inside a scratch"
      + " network namespace: ip netns exec NS orch-bench --network).") boolean network;

  private ControlGrpc.ControlBlockingStub control(ManagedChannel ch) {
    return ControlGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Override
  public Integer call() throws Exception {
    try (BenchNode node = BenchNode.start("orch-bench")) {
      ManagedChannel ch = node.channel();
      node.importImage(image);
      if (network) {
        control(ch).createNetwork(dev.orch.proto.CreateNetworkRequest.newBuilder()
            .setSpec(dev.orch.proto.NetworkSpec.newBuilder().setName("benchnet")).build());
      }
      List<Double> create = new ArrayList<>();
      List<Double> heal = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        String name = "bench" + run;
        double s = createAndWait(ch, name);
        create.add(s);
        System.out.printf(Locale.ROOT, "run %d: create --replicas %d -> %d RUNNING in %.3f s%n", run, replicas,
            replicas, s);
        if (killTogether > 0) {
          killTogetherPhases(node, ch, name);
        }
        if (run == 1) {
          for (int k = 1; k <= kills; k++) {
            double h = killAndWait(ch, name, k);
            heal.add(h);
            System.out.printf(Locale.ROOT, "kill %d: SIGKILL of a workload -> replacement RUNNING in %.3f s%n", k, h);
          }
        }
        removeAndWait(ch, name);
      }
      System.out.printf(Locale.ROOT, "%nmedian create --replicas %d -> all RUNNING: %.3f s (runs: %d)%n",
          replicas, BenchStats.median(create), runs);
      if (!heal.isEmpty()) {
        System.out.printf(Locale.ROOT, "median SIGKILL -> replacement RUNNING: %.3f s (kills: %d)%n",
            BenchStats.median(heal), heal.size());
      }
    }
    return 0;
  }

  /** The create and remove steps for one replica without networks, for {@link SubmitBench}. */
  static ServiceBench oneReplica() {
    ServiceBench b = new ServiceBench();
    b.replicas = 1;
    return b;
  }

  /** Seconds from CreateService until every replica is RUNNING, as ListTasks says (polled every 5 ms). */
  double createAndWait(ManagedChannel ch, String name) throws InterruptedException {
    long start = System.nanoTime();
    ServiceSpec.Builder spec = ServiceSpec.newBuilder();
    if (network) {
      spec.addNetworks(dev.orch.proto.NetworkAttachmentConfig.newBuilder().setTarget("benchnet"));
    }
    control(ch).createService(CreateServiceRequest.newBuilder().setSpec(spec
        .setName(name).setReplicas(replicas)
        // An explicit zero restart delay: the kill figure measures replacement, not docker's default 5 s wait.
        .setRestart(dev.orch.proto.RestartPolicy.newBuilder().setDelayMs(0))
        .setContainer(ContainerSpec.newBuilder().setImage("busybox").addCommand("sleep").addCommand("100000")))
        .build());
    while (running(ch, name).size() < replicas) {
      Thread.sleep(5); // polling interval of the measurement, not a wait-and-hope
    }
    return (System.nanoTime() - start) / 1e9;
  }

  double killAndWait(ManagedChannel ch, String name, int slot) throws Exception {
    Task victim = running(ch, name).stream().filter(t -> t.getSlot() == slot).findFirst().orElseThrow();
    int pid = victim.getStatus().getPid();
    String child = SwarmBench.workloadPid(pid);
    long start = System.nanoTime();
    new ProcessBuilder("kill", "-9", child).start().waitFor();
    while (running(ch, name).stream().noneMatch(t -> t.getSlot() == slot
        && !t.getMeta().getId().equals(victim.getMeta().getId()))) {
      Thread.sleep(2);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** SIGKILLs {@link #killTogether} workloads at once, waits for their replacements, prints the phases. */
  private void killTogetherPhases(BenchNode node, ManagedChannel ch, String name) throws Exception {
    try (TaskPhases phases = new TaskPhases(node.store())) {
      List<Task> victims = running(ch, name).stream().limit(killTogether).toList();
      java.util.Set<String> old = new java.util.HashSet<>();
      List<String> kill = new ArrayList<>(List.of("kill", "-9"));
      for (Task v : victims) {
        int pid = v.getStatus().getPid();
        kill.add(SwarmBench.workloadPid(pid));
        old.add(v.getMeta().getId());
      }
      long start = System.nanoTime();
      new ProcessBuilder(kill).start().waitFor();
      List<Task> now;
      do {
        Thread.sleep(2);
        now = running(ch, name);
      } while (now.size() < replicas || now.stream().anyMatch(t -> old.contains(t.getMeta().getId())));
      double total = (System.nanoTime() - start) / 1e6;
      List<java.util.Map<String, Double>> rows = new ArrayList<>();
      for (Task v : victims) {
        Task repl = now.stream().filter(t -> t.getSlot() == v.getSlot()).findFirst().orElseThrow();
        rows.add(phases.replacement(v.getMeta().getId(), repl.getMeta().getId(), start));
      }
      System.out.printf(Locale.ROOT, "SIGKILL of %d workloads at once -> all replaced in %.1f ms%n", killTogether, total);
      TaskPhases.printMedians("  ms from the kill to the store applying each state (p50 / max of the victims):", rows);
    }
  }

  void removeAndWait(ManagedChannel ch, String name) throws InterruptedException {
    control(ch).removeService(RemoveServiceRequest.newBuilder().setService(name).build());
    while (control(ch).listTasks(ListTasksRequest.getDefaultInstance()).getTasksCount() > 0) {
      Thread.sleep(20);
    }
  }

  List<Task> running(ManagedChannel ch, String name) {
    return control(ch).listTasks(ListTasksRequest.newBuilder().setService(name).build()).getTasksList().stream()
        .filter(t -> t.getStatus().getState() == TaskState.RUNNING && t.getDesiredState() == TaskState.RUNNING)
        .toList();
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServiceBench()).execute(args));
  }
}
