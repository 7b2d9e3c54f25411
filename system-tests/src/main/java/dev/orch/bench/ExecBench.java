package dev.orch.bench;

import dev.orch.ctl.OrchCtl;
import dev.orch.manager.DaemonOptions;
import dev.orch.manager.ManagerNode;
import dev.orch.manager.NodeIdentity;
import dev.orch.manager.security.AdminChannels;
import dev.orch.manager.security.ClusterPki;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.ExecInput;
import dev.orch.proto.ExecOutput;
import dev.orch.proto.ExecStart;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Exec round trip and the cost of one health check, on one real node: {@code Control.Exec} of
 * {@code true} in a running task (orchctl's path minus its JVM start: TLS channel open, manager,
 * request channel, agent, orch-shim exec, back), and the CPU that orch-shim exec and the command
 * take per run (a health check runs exactly that), from this JVM's reaped-children CPU time.
 */
@Command(name = "orch-bench-exec", mixinStandardHelpOptions = true,
    description = "Exec round-trip latency and health-check CPU cost on one node.")
public final class ExecBench implements Callable<Integer> {
  @Option(names = "--execs", defaultValue = "200") int execs;
  @Option(names = "--image", required = true, description = "Image archive to import (busybox).") Path image;

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("orch-bench-exec");
    Path client = dir.resolveSibling(dir.getFileName() + "-client");
    int port;
    try (ServerSocket s = new ServerSocket(0); ServerSocket r = new ServerSocket(0)) {
      port = s.getLocalPort();
      NodeIdentity id = new NodeIdentity("bench" + port, "bench" + port, "127.0.0.1", port, r.getLocalPort());
      ClusterPki.initialize(dir, id.clusterId(), id.nodeId(), id.advertiseHost(), java.time.Clock.systemUTC());
      id.save(dir);
    }
    NodeIdentity id = NodeIdentity.load(dir);
    try (ManagerNode node = ManagerNode.start(id, new DaemonOptions(dir, null, Duration.ofSeconds(1),
        Duration.ofSeconds(2), client, 1))) {
      Map<String, String> env = Map.of("ORCH_HOST", id.controlAddress(), "ORCH_CONFIG_DIR", client.toString());
      ctl(env, "image", "import", image.toString());
      ctl(env, "service", "create", "--name", "target", "busybox", "sleep", "1d");
      ManagedChannel ch = AdminChannels.open(ClusterPki.adminBundle(dir), id.controlAddress());
      try {
        String task = ControlGrpc.newBlockingStub(ch).listTasks(ListTasksRequest.newBuilder().setService("target")
            .build()).getTasksList().stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING)
            .map(Task::getMeta).map(m -> m.getId()).findFirst().orElseThrow();
        for (int i = 0; i < 20; i++) {
          exec(ch, task); // warm-up: JIT, connections
        }
        long cpuBefore = BenchStats.childrenCpuTicks();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < execs; i++) {
          long t0 = System.nanoTime();
          exec(ch, task);
          ms.add((System.nanoTime() - t0) / 1e6);
        }
        double cpuMsPerExec = (BenchStats.childrenCpuTicks() - cpuBefore) * 1000.0 / 100 / execs; // USER_HZ = 100
        Collections.sort(ms);
        System.out.printf(Locale.ROOT, "exec round trip (Control.Exec of 'true', %d runs): p50 %.2f ms, p99 %.2f ms,"
            + " max %.2f ms%n", execs, pct(ms, 50), pct(ms, 99), ms.get(ms.size() - 1));
        System.out.printf(Locale.ROOT, "CPU of orch-shim exec + the command per run (= one health check): %.2f ms;"
            + " at the default 30 s interval %.4f %% of one CPU per health-checked task%n",
            cpuMsPerExec, cpuMsPerExec / 30_000 * 100);
      } finally {
        ctl(env, "service", "rm", "target");
        ch.shutdownNow();
      }
    }
    return 0;
  }

  private static void exec(ManagedChannel ch, String task) throws Exception {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    StreamObserver<ExecInput> in = ControlGrpc.newStub(ch).exec(new StreamObserver<>() {
      @Override
      public void onNext(ExecOutput o) {
        if (o.hasExit()) {
          exit.complete(o.getExit().getExitCode());
        }
      }

      @Override
      public void onError(Throwable t) {
        exit.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        exit.complete(-1);
      }
    });
    in.onNext(ExecInput.newBuilder().setStart(ExecStart.newBuilder().setTask(task).addCommand("true")).build());
    in.onCompleted();
    int code = exit.get(30, TimeUnit.SECONDS);
    if (code != 0) {
      throw new IllegalStateException("exec of true exited " + code);
    }
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static void ctl(Map<String, String> env, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = OrchCtl.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, args);
    if (code != 0) {
      throw new IllegalStateException("orchctl " + String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ExecBench()).execute(args));
  }
}
