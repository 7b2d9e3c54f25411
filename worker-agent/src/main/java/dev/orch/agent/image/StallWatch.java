package dev.orch.agent.image;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches a transfer for progress: when {@link #progress} was not called for the limit, calls the
 * stall action once (which must end the transfer, so that a read blocked on a silent peer fails
 * instead of waiting for ever). A stalled connection often has no reset to end it: a peer paused
 * or cut off mid-transfer leaves the socket open.
 */
public final class StallWatch implements AutoCloseable {
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "transfer-stall-watchdog");
    t.setDaemon(true);
    return t;
  });

  private final Duration limit;
  private final ScheduledFuture<?> watch;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean stalled;

  /** Starts watching; {@code onStall} runs on the watchdog thread. */
  public StallWatch(Duration limit, Runnable onStall) {
    this.limit = limit;
    long period = Math.max(10, limit.toMillis() / 4);
    this.watch = WATCHDOG.scheduleWithFixedDelay(() -> {
      if (!stalled && System.nanoTime() - lastProgress > limit.toNanos()) {
        stalled = true;
        onStall.run();
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  /** Data arrived. */
  public void progress() {
    lastProgress = System.nanoTime();
  }

  /** Whether the limit passed without progress (the transfer was then ended by the stall action). */
  public boolean stalled() {
    return stalled;
  }

  /** "no data for N s", for the error of a stalled transfer. */
  public String describe() {
    return "the transfer stalled: no data for " + limit.toSeconds() + " s";
  }

  /** Stops watching (the transfer ended). */
  @Override
  public void close() {
    watch.cancel(false);
  }
}
