package dev.orch.manager.dispatcher;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.Node;
import dev.orch.proto.NodeState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks nodes DOWN when their heartbeats stop: a session without a heartbeat for three periods is
 * expired, and a READY node with no session (for example after a leader change) gets the same
 * grace from the moment this monitor started before it is marked DOWN.
 */
public final class NodeHealthMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeHealthMonitor.class);
  private static final int MISSED_HEARTBEATS = 3;
  /**
   * Checks often so that detection takes the grace period, not the grace period plus a check
   * interval: every tenth of a heartbeat period, at least every 100 ms. A check reads every node,
   * so at Swarm's 5 s heartbeat a cluster of 10,000 nodes is read twice a second, not ten times.
   */
  private static final long MIN_CHECK_INTERVAL_MS = 100;
  private static final int CHECKS_PER_PERIOD = 10;

  private final StoreWriter writer;
  private final NodeSessions sessions;
  private final Clock clock;
  /** When this manager last became leader; -1 while it is not. Grace is counted from here. */
  private long leaderSinceMs = -1;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-health");
        t.setDaemon(true);
        return t;
      });

  public NodeHealthMonitor(StoreWriter writer, NodeSessions sessions, Clock clock) {
    this.writer = writer;
    this.sessions = sessions;
    this.clock = clock;
    scheduleNext();
  }

  private void scheduleNext() {
    long interval = MIN_CHECK_INTERVAL_MS;
    try {
      interval = Math.max(MIN_CHECK_INTERVAL_MS, sessions.heartbeatPeriodMs() / CHECKS_PER_PERIOD);
    } catch (RuntimeException e) {
      LOG.info("reading the heartbeat period failed, checking again in {} ms: {}", interval, e.toString());
    }
    try {
      timer.schedule(this::check, interval, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closed
    }
  }

  void check() {
    try {
      checkOnce();
    } catch (RuntimeException e) {
      LOG.info("node health check failed, next one retries: {}", e.toString());
    } finally {
      scheduleNext();
    }
  }

  private void checkOnce() {
    long now = clock.millis();
    if (!writer.store().isLeader()) {
      leaderSinceMs = -1;
      return;
    }
    if (leaderSinceMs < 0) {
      // A new leader has no sessions yet: nodes get a grace period to reconnect before being marked DOWN.
      leaderSinceMs = now;
    }
    long grace = MISSED_HEARTBEATS * sessions.heartbeatPeriodMs();
    sessions.expire(now - grace);
    if (now - leaderSinceMs < grace) {
      return;
    }
    List<Node> down = new ArrayList<>();
    writer.store().read(v -> {
      for (Node n : v.nodes()) {
        if (n.getStatus().getState() == NodeState.NODE_READY && !sessions.has(n.getMeta().getId())) {
          down.add(n);
        }
      }
      return null;
    });
    if (down.isEmpty()) {
      return;
    }
    try {
      var r = writer.submit(down.stream().map(n -> Actions.update(n.toBuilder()
          .setStatus(n.getStatus().toBuilder()
              .setState(NodeState.NODE_DOWN)
              .setMessage("heartbeat failure"))
          .build())).toList());
      if (!r.getOk()) {
        LOG.info("marking nodes down conflicted, next check retries: {}", r.getError());
      }
    } catch (RuntimeException e) {
      LOG.info("marking nodes down failed, next check retries: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
