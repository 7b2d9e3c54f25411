package dev.orch.bench;

import dev.orch.proto.ContainerSpec;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateConfig;
import dev.orch.proto.UpdateServiceRequest;
import dev.orch.proto.UpdateState;
import io.grpc.ManagedChannel;
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
 * Measures a rolling update on one real node: a service of N replicas is updated (a new
 * environment variable, so every task is replaced) with the given parallelism, delay and order,
 * and two times are taken from the {@code UpdateService} call: until every slot runs a task of the
 * new spec and no old task is left running (converged), and until the update status is COMPLETED
 * (which adds the monitor period after the last replacement started).
 */
@Command(name = "orch-bench-update", mixinStandardHelpOptions = true,
    description = "Rolling update benchmark on one node.")
public final class UpdateBench implements Callable<Integer> {
  @Option(names = "--replicas", defaultValue = "20") int replicas;
  @Option(names = "--parallelism", defaultValue = "5") long parallelism;
  @Option(names = "--delay-ms", defaultValue = "0") long delayMs;
  @Option(names = "--monitor-ms", defaultValue = "5000", description = "docker's default is 5 s") long monitorMs;
  @Option(names = "--start-first", description = "start-first instead of stop-first") boolean startFirst;
  @Option(names = "--runs", defaultValue = "5") int runs;
  @Option(names = "--publish", paramLabel = "PORT",
      description = "Publish this port (target 80) on the routing mesh: the tasks are ingress backends, drained before they stop.")
  Integer publish;
  @Option(names = "--drain-delay-ms", paramLabel = "MS", description = "The agent's drain delay (default orchd's, 2000).")
  Long drainDelayMs;
  @Option(names = "--image", required = true, description = "Image archive to import (busybox).") Path image;

  private static ControlGrpc.ControlBlockingStub control(ManagedChannel ch) {
    return ControlGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Override
  public Integer call() throws Exception {
    try (BenchNode node = BenchNode.start("orch-bench-update",
        drainDelayMs == null ? null : java.time.Duration.ofMillis(drainDelayMs))) {
      ManagedChannel ch = node.channel();
      node.importImage(image);
      create(ch);
      List<Double> converged = new ArrayList<>();
      List<Double> completed = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        double[] t = updateAndWait(ch, run);
        converged.add(t[0]);
        completed.add(t[1]);
        System.out.printf(Locale.ROOT, "run %d: update of %d replicas (parallelism %d, delay %d ms, %s) ->"
            + " converged in %.3f s, update completed in %.3f s%n", run, replicas, parallelism, delayMs,
            (startFirst ? "start-first" : "stop-first") + (publish == null ? "" : ", published on " + publish),
            t[0], t[1]);
      }
      System.out.printf(Locale.ROOT, "%nmedian rolling update of %d replicas, parallelism %d, delay %d ms:"
          + " converged %.3f s, completed (monitor %d ms) %.3f s (runs: %d)%n", replicas, parallelism, delayMs,
          BenchStats.median(converged), monitorMs, BenchStats.median(completed), runs);
      removeAndWait(ch);
    }
    return 0;
  }

  private void create(ManagedChannel ch) throws InterruptedException {
    ServiceSpec.Builder spec = ServiceSpec.newBuilder();
    if (publish != null) {
      spec.getEndpointBuilder().addPorts(dev.orch.proto.PortConfig.newBuilder().setPublished(publish).setTarget(80)
          .setProtocol(dev.orch.proto.PortProtocol.PROTO_TCP).setMode(dev.orch.proto.PublishMode.PUBLISH_INGRESS));
    }
    control(ch).createService(CreateServiceRequest.newBuilder().setSpec(spec
        .setName("web").setReplicas(replicas)
        .setRestart(RestartPolicy.newBuilder().setDelayMs(0))
        .setUpdate(UpdateConfig.newBuilder().setParallelism(parallelism).setDelayMs(delayMs).setMonitorMs(monitorMs)
            .setOrder(startFirst ? dev.orch.proto.UpdateOrder.ORDER_START_FIRST : dev.orch.proto.UpdateOrder.ORDER_STOP_FIRST))
        .setContainer(ContainerSpec.newBuilder().setImage("busybox").addCommand("sleep").addCommand("100000")))
        .build());
    while (runningWith(ch, "") < replicas) {
      Thread.sleep(5);
    }
  }

  /** Seconds from the update call to converged, and to the update status COMPLETED. */
  private double[] updateAndWait(ManagedChannel ch, int run) throws InterruptedException {
    Service current = control(ch).getService(GetServiceRequest.newBuilder().setService("web").build()).getService();
    String env = "RUN=" + run;
    ServiceSpec next = current.getSpec().toBuilder()
        .setContainer(current.getSpec().getContainer().toBuilder().clearEnv().addEnv(env)).build();
    long start = System.nanoTime();
    control(ch).updateService(UpdateServiceRequest.newBuilder().setService("web")
        .setVersion(current.getMeta().getVersion()).setSpec(next).build());
    double converged = -1;
    while (true) {
      if (converged < 0 && runningWith(ch, env) == replicas) {
        converged = (System.nanoTime() - start) / 1e9;
      }
      UpdateState state = control(ch).getService(GetServiceRequest.newBuilder().setService("web").build())
          .getService().getUpdateStatus().getState();
      if (converged >= 0 && state == UpdateState.COMPLETED) {
        return new double[] {converged, (System.nanoTime() - start) / 1e9};
      }
      if (state == UpdateState.PAUSED || state == UpdateState.ROLLBACK_STARTED) {
        throw new IllegalStateException("the update did not go through: " + state);
      }
      Thread.sleep(5); // polling interval of the measurement
    }
  }

  /**
   * Containers outlive orchd: the service goes, and its tasks with it, before the node stops; so do
   * the network namespaces of published tasks, which the agent deletes just after.
   */
  private static void removeAndWait(ManagedChannel ch) throws InterruptedException {
    List<String> ids = control(ch).listTasks(ListTasksRequest.getDefaultInstance()).getTasksList().stream()
        .map(t -> t.getMeta().getId()).toList();
    control(ch).removeService(dev.orch.proto.RemoveServiceRequest.newBuilder().setService("web").build());
    while (control(ch).listTasks(ListTasksRequest.getDefaultInstance()).getTasksCount() > 0) {
      Thread.sleep(20);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ids.stream().anyMatch(id -> java.nio.file.Files.exists(Path.of("/run/netns", "orch-" + id)))
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** Tasks running {@code env} (any spec when empty) while every running task does. */
  private int runningWith(ManagedChannel ch, String env) {
    List<Task> running = control(ch).listTasks(ListTasksRequest.newBuilder().setService("web").build())
        .getTasksList().stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).toList();
    if (!env.isEmpty() && running.stream().anyMatch(t -> !t.getSpec().getContainer().getEnvList().contains(env))) {
      return -1; // an old task still runs
    }
    return (int) running.stream().filter(t -> t.getDesiredState() == TaskState.RUNNING).count();
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new UpdateBench()).execute(args));
  }
}
