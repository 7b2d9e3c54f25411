package dev.orch.bench;

import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Submit to RUNNING for a one-replica service with its image present, on one real node: the time
 * from {@code CreateService} until the Control API lists the task RUNNING (store write, allocator,
 * scheduler, dispatcher, agent, container start, status report, store write), many runs, each
 * service removed (and its task gone) before the next. Prints p50, p99 and the load average.
 */
@Command(name = "orch-bench-submit", mixinStandardHelpOptions = true,
    description = "Submit -> RUNNING latency of a 1-replica service on one node.")
public final class SubmitBench implements Callable<Integer> {
  private static final int WARM_UP = 3;

  @Option(names = "--runs", defaultValue = "50") int runs;
  @Option(names = "--phases", description = "Also print where the time goes: the median moment each task state"
      + " is applied by the store, for the create and for a SIGKILL of the workload -> replacement RUNNING.")
  boolean phases;
  @Option(names = "--image", required = true, description = "Image archive to import (busybox).") Path image;

  @Override
  public Integer call() throws Exception {
    try (BenchNode node = BenchNode.start("orch-bench-submit")) {
      ManagedChannel ch = node.channel();
      node.importImage(image);
      ServiceBench steps = ServiceBench.oneReplica();
      for (int i = 0; i < WARM_UP; i++) { // JIT, the image's layer unpacked once, connections
        steps.createAndWait(ch, "warm" + i);
        steps.removeAndWait(ch, "warm" + i);
      }
      String loadBefore = loadAverage();
      List<Double> ms = new ArrayList<>();
      List<java.util.Map<String, Double>> createPhases = new ArrayList<>();
      List<java.util.Map<String, Double>> killPhases = new ArrayList<>();
      try (TaskPhases watch = phases ? new TaskPhases(node.store()) : null) {
        for (int run = 1; run <= runs; run++) {
          long start = System.nanoTime();
          ms.add(steps.createAndWait(ch, "submit" + run) * 1000);
          if (watch != null) {
            dev.orch.proto.Task t = steps.running(ch, "submit" + run).get(0);
            createPhases.add(watch.offsets(t.getMeta().getId(), start));
            long killed = System.nanoTime();
            steps.killAndWait(ch, "submit" + run, (int) t.getSlot());
            String replacement = steps.running(ch, "submit" + run).get(0).getMeta().getId();
            killPhases.add(watch.replacement(t.getMeta().getId(), replacement, killed));
          }
          steps.removeAndWait(ch, "submit" + run);
        }
      }
      if (phases) {
        TaskPhases.printMedians("create -> RUNNING, ms from CreateService to the store applying each state:",
            createPhases);
        TaskPhases.printMedians("SIGKILL of the workload -> replacement RUNNING, ms from the kill:", killPhases);
      }
      System.out.printf(Locale.ROOT, "service create (1 replica, image present) -> task RUNNING, %d runs:"
          + " p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", runs, BenchStats.percentile(ms, 50),
          BenchStats.percentile(ms, 99), ms.stream().mapToDouble(Double::doubleValue).max().orElse(0));
      System.out.printf("load average (1/5/15 min) at start: %s, at end: %s%n", loadBefore, loadAverage());
    }
    return 0;
  }

  static String loadAverage() throws java.io.IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SubmitBench()).execute(args));
  }
}
