package dev.orch.bench;

import dev.orch.agent.image.ImageStore;
import dev.orch.agent.image.ImportedImage;
import dev.orch.agent.runtime.Container;
import dev.orch.agent.runtime.ContainerConfig;
import dev.orch.agent.runtime.ContainerConfig.ResourceLimits;
import dev.orch.agent.runtime.LinuxContainerRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What orch-shim's log relay costs: a busybox container writes {@code --mb} MB of lines
 * ({@code yes | head -c}) three ways, timed from start to the reported exit: to /dev/null (what
 * the writer alone costs), straight into a file on the host (a bind mount: the path of a
 * container whose output needs no relay), and to its stdout (through the pipe, the shim's
 * records and the log file). It also prints the shim's own CPU per MB: the CPU of the reaped shim
 * and its children minus the container cgroup's.
 */
@Command(name = "orch-bench-logs", mixinStandardHelpOptions = true,
    description = "Throughput and CPU of the container log relay (orch-shim) on one node.")
public final class LogRelayBench implements Callable<Integer> {
  /** {@code 2026-11-25T10:00:00.123456789Z}: orch-shim writes nine fraction digits always. */
  private static final int TIME_WIDTH = 30;

  @Option(names = "--mb", defaultValue = "200", description = "MB (10^6 bytes) each run writes.") int mb;
  @Option(names = "--line", defaultValue = "100", description = "Bytes per line, newline included.") int line;
  @Option(names = "--reps", defaultValue = "3") int reps;
  @Option(names = "--image", required = true, description = "Image archive to import (busybox).") Path image;

  @Override
  public Integer call() throws Exception {
    long bytes = mb * 1_000_000L;
    if (line < 2 || line > 16_385 || mb < 1 || reps < 1 || bytes % line != 0) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "give --mb and --reps >= 1, and --line from 2 to 16385 that divides the bytes written (e.g. 100)");
    }
    String write = "yes " + "x".repeat(line - 1) + " | head -c " + bytes;
    Map<String, String> ways = new LinkedHashMap<>();
    ways.put("to /dev/null (the writer alone)", " >/dev/null");
    ways.put("into a host file (bind mount, no relay)", " >/out/data");
    ways.put("to stdout through the shim's relay", "");
    Path dir = Files.createTempDirectory("orch-bench-logs");
    String scope = "orch-bench-logs/" + ProcessHandle.current().pid();
    try (LinuxContainerRuntime runtime = new LinuxContainerRuntime(dir.resolve("state"), scope)) {
      ImageStore images = new ImageStore(dir.resolve("images"));
      ImportedImage imported = images.importArchive(image).get(0);
      Runs runs = new Runs(runtime, images.layerDirs(imported.toProto(), null), dir);
      for (String redirect : ways.values()) {
        runs.run(write(1_000_000L) + redirect); // warm-up: JIT, page cache of the image
      }
      System.out.printf(Locale.ROOT, "%d MB of %d-byte lines per run, %d runs each, interleaved; load average %s%n",
          mb, line, reps, loadAverage());
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      Map<String, List<Double>> shimCpu = new LinkedHashMap<>();
      for (int r = 0; r < reps; r++) {
        for (Map.Entry<String, String> way : ways.entrySet()) {
          Run run = runs.run(write(bytes) + way.getValue());
          if (way.getValue().isEmpty()) {
            verify(run.log(), bytes);
          }
          Files.deleteIfExists(run.log());
          rates.computeIfAbsent(way.getKey(), k -> new ArrayList<>()).add(mb / run.seconds());
          shimCpu.computeIfAbsent(way.getKey(), k -> new ArrayList<>()).add(run.shimCpuMs() / mb);
        }
      }
      for (String way : ways.keySet()) {
        List<Double> x = rates.get(way);
        System.out.printf(Locale.ROOT, "  %-42s median %7.1f MB/s (%.1f-%.1f); shim CPU %.2f ms per MB%n", way,
            BenchStats.median(x), x.stream().min(Double::compare).orElseThrow(),
            x.stream().max(Double::compare).orElseThrow(), BenchStats.median(shimCpu.get(way)));
      }
      System.out.printf(Locale.ROOT, "load average at the end %s%n", loadAverage());
      runtime.cgroups().removeScope();
    } finally {
      try (var paths = Files.walk(dir)) { // the containers are removed: plain files and directories
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  private String write(long bytes) {
    return "yes " + "x".repeat(line - 1) + " | head -c " + bytes;
  }

  private static String loadAverage() throws java.io.IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  /** One container run: from start to the reported exit, and the CPU of the shim alone. */
  private record Run(Path log, double seconds, double shimCpuMs) {}

  private static final class Runs {
    private final LinuxContainerRuntime runtime;
    private final List<Path> layers;
    private final Path dir;
    private int n;

    Runs(LinuxContainerRuntime runtime, List<Path> layers, Path dir) {
      this.runtime = runtime;
      this.layers = layers;
      this.dir = dir;
    }

    Run run(String script) throws Exception {
      String id = "logs-" + n++;
      Path log = dir.resolve("logs").resolve(id + ".log");
      Path out = Files.createDirectories(dir.resolve("out"));
      long cpu0 = BenchStats.childrenCpuTicks();
      long t0 = System.nanoTime();
      Container c = runtime.start(new ContainerConfig(id, id, layers, List.of("sh", "-c", script),
          List.of("PATH=/bin"), "/", new ResourceLimits(0, 0, 0), log, null,
          List.of(new ContainerConfig.BindMount(out, "/out", false)), ""));
      Container.ExitStatus exit = c.exited().get(10, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long containerCpuNanos = runtime.usage(id).cpuNanos();
      runtime.remove(id);
      // The JVM reaps the shim, the shim its init, init the workload: cutime holds them all.
      double shimCpuMs = (BenchStats.childrenCpuTicks() - cpu0) * 10.0 - containerCpuNanos / 1e6;
      Files.deleteIfExists(out.resolve("data"));
      if (exit.exitCode() != 0) {
        throw new IllegalStateException(script + ": " + exit.message());
      }
      return new Run(log, seconds, shimCpuMs);
    }
  }

  /** Every line arrived as one whole stdout record with a time, and nothing else is in the log. */
  private void verify(Path log, long bytes) throws Exception {
    long records = 0;
    int expected = TIME_WIDTH + " stdout F ".length() + line - 1;
    try (var in = Files.newBufferedReader(log, StandardCharsets.US_ASCII)) {
      for (String r; (r = in.readLine()) != null; records++) {
        if (r.length() != expected || !r.startsWith(" stdout F ", TIME_WIDTH) || r.charAt(TIME_WIDTH - 1) != 'Z') {
          throw new IllegalStateException("unexpected record " + (records + 1) + ": " + r);
        }
      }
    }
    if (records != bytes / line) {
      throw new IllegalStateException("the log holds " + records + " records; expected " + bytes / line);
    }
    System.out.printf(Locale.ROOT, "    (log file %.1f MB for %d MB written: %d records checked)%n",
        Files.size(log) / 1e6, mb, records);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new LogRelayBench()).execute(args));
  }
}
