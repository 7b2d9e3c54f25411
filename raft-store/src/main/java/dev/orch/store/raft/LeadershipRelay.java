package dev.orch.store.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries "this member leads / no longer leads" from Ratis' threads to the store's listeners.
 *
 * <p>Listeners start and stop the leader-only controllers, which may take a while, so they run on
 * one thread of their own rather than inside Ratis (where blocking would stall elections or the
 * log). One thread also keeps them in order. A listener is told only about changes: what it hears
 * last is the current state, and a quick lose-and-regain between two deliveries collapses into
 * nothing, which suits controllers that re-read the state anyway.
 */
final class LeadershipRelay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeadershipRelay.class);

  private final String memberId;
  private final ExecutorService thread;
  /** The latest signal from Ratis. */
  private volatile boolean leader;
  /** Confined to {@link #thread}: what listeners were last told, and the listeners. */
  private boolean delivered;
  private final List<Consumer<Boolean>> listeners = new ArrayList<>();

  LeadershipRelay(String memberId) {
    this.memberId = memberId;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "orch-store-leadership-" + memberId);
      t.setDaemon(true);
      return t;
    });
  }

  boolean isLeader() {
    return leader;
  }

  /** Records the new state now and tells listeners soon after. Safe to call from any thread. */
  void signal(boolean isLeader) {
    if (leader != isLeader) {
      LOG.info("member {} {} leader", memberId, isLeader ? "became" : "is no longer");
    }
    leader = isLeader;
    runOnThread(this::deliver);
  }

  /** Adds a listener; if this member already leads, the listener hears {@code true} first. */
  void addListener(Consumer<Boolean> listener) {
    runOnThread(() -> {
      listeners.add(listener);
      if (delivered) {
        call(listener, true);
      }
    });
  }

  private void deliver() {
    boolean now = leader;
    if (now == delivered) {
      return;
    }
    delivered = now;
    for (Consumer<Boolean> listener : listeners) {
      call(listener, now);
    }
  }

  private void call(Consumer<Boolean> listener, boolean isLeader) {
    try {
      listener.accept(isLeader);
    } catch (RuntimeException e) {
      // A faulty listener must not keep the others from hearing about leadership.
      LOG.error("leadership listener {} failed on {}", listener, isLeader, e);
    }
  }

  private void runOnThread(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("member {} is closed; dropping a leadership update", memberId);
    }
  }

  /** Tells listeners leadership is gone (if they think otherwise), then stops the thread. */
  @Override
  public void close() {
    signal(false);
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("leadership listeners of member {} did not finish within 10s", memberId);
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
    }
  }
}
