package dev.orch.manager.orchestrator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deduplicating queue of dirty keys served by one thread. A key added while it is being
 * reconciled is reconciled again afterwards; a failed key is re-queued with exponential backoff and
 * jitter (never dropped); a periodic resync re-adds every key so nothing missed stays missed.
 */
public final class WorkQueue<K> implements AutoCloseable {
  /** Converges one key; throwing re-queues it with backoff. */
  public interface Reconciler<K> {
    void reconcile(K key) throws Exception;
  }

  private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
  private static final long BASE_BACKOFF_MS = 10;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final String name;
  private final Reconciler<K> reconciler;
  private final Supplier<Collection<K>> allKeys;
  private final Duration resyncPeriod;
  private final Random random;
  private final Timer reconcileTimer;
  private final LinkedHashSet<K> ready = new LinkedHashSet<>();
  private final Set<K> processing = new HashSet<>();
  private final Set<K> dirtyWhileProcessing = new HashSet<>();
  private final Map<K, Integer> failures = new HashMap<>();
  private final ScheduledExecutorService timers;
  private final Thread worker;
  private boolean closed;

  public WorkQueue(
      String name,
      Reconciler<K> reconciler,
      Supplier<Collection<K>> allKeys,
      Duration resyncPeriod,
      Random random,
      MeterRegistry metrics) {
    this.name = name;
    this.reconciler = reconciler;
    this.allKeys = allKeys;
    this.resyncPeriod = resyncPeriod;
    this.random = random;
    this.reconcileTimer =
        Timer.builder("orch.reconcile.duration")
            .tag("controller", name)
            .description("Time spent in one reconcile of one key")
            .register(metrics);
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name + "-timer");
              t.setDaemon(true);
              return t;
            });
    this.worker = new Thread(this::run, name);
    this.worker.setDaemon(true);
  }

  public void start() {
    worker.start();
    long period = resyncPeriod.toMillis();
    timers.scheduleWithFixedDelay(this::resync, 0, period, TimeUnit.MILLISECONDS);
  }

  /** Marks a key dirty. Cheap and non-blocking: safe to call from the store's apply thread. */
  public synchronized void add(K key) {
    if (closed) {
      return;
    }
    if (processing.contains(key)) {
      dirtyWhileProcessing.add(key);
      return;
    }
    if (ready.add(key)) {
      notifyAll();
    }
  }

  /**
   * Marks a key dirty once {@code delay} has passed: for controllers that must act at a time
   * rather than on a change (a restart delay, an update's monitor period).
   */
  public void addAfter(K key, Duration delay) {
    try {
      timers.schedule(() -> add(key), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed: the next leader's first resync covers the key
    }
  }

  private void resync() {
    try {
      allKeys.get().forEach(this::add);
    } catch (RuntimeException e) {
      LOG.warn("{}: resync failed, next one in {}: {}", name, resyncPeriod, e.toString());
    }
  }

  private void run() {
    while (true) {
      K key;
      synchronized (this) {
        while (ready.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        var it = ready.iterator();
        key = it.next();
        it.remove();
        processing.add(key);
      }
      boolean ok = reconcileOnce(key);
      synchronized (this) {
        processing.remove(key);
        if (ok) {
          failures.remove(key);
        } else {
          scheduleRetry(key);
        }
        if (dirtyWhileProcessing.remove(key)) {
          ready.add(key);
        }
      }
    }
  }

  private boolean reconcileOnce(K key) {
    long start = System.nanoTime();
    try {
      reconciler.reconcile(key);
      return true;
    } catch (Exception e) {
      LOG.info("{}: reconcile of {} failed, will retry: {}", name, key, e.toString());
      return false;
    } finally {
      reconcileTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private void scheduleRetry(K key) {
    int attempt = failures.merge(key, 1, Integer::sum);
    long backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS << Math.min(attempt - 1, 20));
    long jittered = backoff / 2 + (long) (random.nextDouble() * backoff / 2);
    if (closed) {
      return; // a queue closed on leadership loss retries nothing; the next leader resyncs
    }
    timers.schedule(() -> add(key), jittered, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    timers.shutdownNow();
    worker.interrupt();
    try {
      worker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
