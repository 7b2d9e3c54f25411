package dev.orch.store.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The two workloads, run the same way against either system so that only the system differs:
 * one client writing sequentially (latency), and many clients each writing sequentially at the
 * same time (throughput). A client waits for each acknowledgement before its next write.
 */
final class WriteWorkloads {
  /** One acknowledged write by client {@code client}, its {@code seq}-th. */
  @FunctionalInterface
  interface Writer {
    void write(int client, long seq) throws Exception;
  }

  record Latency(long writes, double p50Ms, double p99Ms, double meanMs) {}

  /** @param cpuMsPerWrite CPU time of the whole system (servers and the clients) per counted write */
  record Throughput(int clients, long writes, double seconds, double writesPerSecond, double cpuMsPerWrite) {}

  private WriteWorkloads() {}

  static Latency sequential(Writer writer, int warmup, int writes) throws Exception {
    for (int i = 0; i < warmup; i++) {
      writer.write(0, i);
    }
    long[] nanos = new long[writes];
    for (int i = 0; i < writes; i++) {
      long started = System.nanoTime();
      writer.write(0, warmup + i);
      nanos[i] = System.nanoTime() - started;
    }
    Arrays.sort(nanos);
    double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
    return new Latency(writes, percentile(nanos, 0.50), percentile(nanos, 0.99), mean);
  }

  private static double percentile(long[] sorted, double p) {
    int at = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, at))] / 1e6;
  }

  /** {@code clients} threads write for {@code warmup} and then for {@code measure}; counts the latter. */
  static Throughput concurrent(Writer writer, int clients, Duration warmup, Duration measure, LongSupplier cpuNanos)
      throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicBoolean counting = new AtomicBoolean(false);
    AtomicLong counted = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t = new Thread(() -> {
        try {
          for (long seq = 0; running.get(); seq++) {
            writer.write(client, seq);
            if (counting.get()) {
              counted.incrementAndGet();
            }
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e);
          running.set(false);
        }
      }, "bench-client-" + c);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    Thread.sleep(warmup.toMillis());
    long before = counted.get();
    counting.set(true);
    long cpuBefore = cpuNanos.getAsLong();
    long started = System.nanoTime();
    Thread.sleep(measure.toMillis());
    long writes = counted.get() - before;
    double seconds = (System.nanoTime() - started) / 1e9;
    double cpuMs = (cpuNanos.getAsLong() - cpuBefore) / 1e6;
    counting.set(false);
    running.set(false);
    for (Thread t : threads) {
      t.join(30_000);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a client failed", failure.get());
    }
    return new Throughput(clients, writes, seconds, writes / seconds, writes == 0 ? 0 : cpuMs / writes);
  }
}
