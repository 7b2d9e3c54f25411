package dev.orch.store.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Store writes with three members on loopback and fsync on: one client's latency over sequential
 * writes, and the throughput of many concurrent clients, for orch's store and for etcd side by
 * side, with {@value OrchBenchCluster#VALUE_BYTES}-byte values.
 *
 * <pre>
 *   StoreWriteBench [--writes 5000] [--clients 256] [--seconds 10] [--etcd /usr/bin/etcd | --no-etcd]
 *                   [--dir DIR]
 * </pre>
 *
 * The two systems run one after the other, never at once, on the same disk.
 */
public final class StoreWriteBench {
  private record Options(int writes, int clients, Duration measure, String etcd, Path dir) {}

  private record Result(WriteWorkloads.Latency latency, WriteWorkloads.Throughput throughput) {}

  private StoreWriteBench() {}

  public static void main(String[] args) throws Exception {
    Options options = parse(args);
    Path dir = options.dir() != null ? Files.createDirectories(options.dir())
        : Files.createTempDirectory("orch-bench-store");
    try {
      System.out.printf("store writes, 3 members on loopback, fsync on, %d-byte values, data in %s%n",
          OrchBenchCluster.VALUE_BYTES, dir);
      Result orch;
      try (OrchBenchCluster cluster = OrchBenchCluster.start(dir.resolve("orch"))) {
        orch = run(cluster::write, options, StoreWriteBench::jvmCpuNanos);
        print("orch (Ratis 3.1.2, leader " + cluster.leaderId() + ", " + cluster.retries()
            + " writes retried after a leader change)", orch);
      }
      if (options.etcd() == null) {
        return;
      }
      Result etcd;
      try (EtcdBenchCluster cluster = EtcdBenchCluster.start(options.etcd(), dir.resolve("etcd"))) {
        etcd = run(cluster::write, options, () -> jvmCpuNanos() + cluster.cpuNanos());
        print("etcd (" + options.etcd() + ", HTTP/JSON gateway, leader " + cluster.leaderUrl() + ", "
            + cluster.retries() + " writes retried after a leader change)", etcd);
      }
      System.out.printf(Locale.ROOT, "orch/etcd: 1-client latency p50 %.2fx, p99 %.2fx (below 1: orch faster); "
              + "%d-client throughput %.2fx (above 1: orch faster); CPU per write %.2fx%n",
          orch.latency().p50Ms() / etcd.latency().p50Ms(), orch.latency().p99Ms() / etcd.latency().p99Ms(),
          options.clients(), orch.throughput().writesPerSecond() / etcd.throughput().writesPerSecond(),
          orch.throughput().cpuMsPerWrite() / etcd.throughput().cpuMsPerWrite());
    } finally {
      if (options.dir() == null) {
        deleteRecursively(dir);
      }
    }
  }

  private static Result run(WriteWorkloads.Writer writer, Options options, LongSupplier cpuNanos) throws Exception {
    WriteWorkloads.Latency latency = WriteWorkloads.sequential(writer, Math.max(1000, options.writes() / 2),
        options.writes());
    WriteWorkloads.Throughput throughput = WriteWorkloads.concurrent(writer, options.clients(), Duration.ofSeconds(3),
        options.measure(), cpuNanos);
    return new Result(latency, throughput);
  }

  /** CPU time of this JVM: the clients, and for orch the three members too. */
  static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void print(String system, Result result) {
    WriteWorkloads.Latency l = result.latency();
    WriteWorkloads.Throughput t = result.throughput();
    System.out.printf(Locale.ROOT, "%s%n  1 client, %d sequential writes: p50 %.2f ms, p99 %.2f ms, mean %.2f ms%n"
            + "  %d clients, %.1f s: %d writes, %.0f writes/s, %.2f ms CPU per write (servers and clients)%n",
        system, l.writes(), l.p50Ms(), l.p99Ms(), l.meanMs(), t.clients(), t.seconds(), t.writes(),
        t.writesPerSecond(), t.cpuMsPerWrite());
  }

  private static Options parse(String[] args) {
    int writes = 5000;
    int clients = 256;
    int seconds = 10;
    String etcd = "/usr/bin/etcd";
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--writes" -> writes = Integer.parseInt(args[++i]);
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--etcd" -> etcd = args[++i];
        case "--no-etcd" -> etcd = null;
        case "--dir" -> dir = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; use --writes N --clients N --seconds N --etcd PATH|--no-etcd --dir DIR");
      }
    }
    return new Options(writes, clients, Duration.ofSeconds(seconds), etcd, dir);
  }

  private static void deleteRecursively(Path dir) throws Exception {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
