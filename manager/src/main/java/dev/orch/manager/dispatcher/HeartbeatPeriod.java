package dev.orch.manager.dispatcher;

import dev.orch.proto.ActionType;
import dev.orch.proto.Cluster;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The cluster's dispatcher heartbeat period, kept from the store's watch. Every heartbeat answer
 * and health check asks for it: read from the store, each waited behind whatever write the store
 * was applying (a batch of thousands of tasks holds it for a while), and on a busy leader with
 * 10,000 nodes the answers came later than the nodes' deadline and every session broke.
 */
public final class HeartbeatPeriod implements LongSupplier, AutoCloseable {
  private final long defaultMs;
  private final AutoCloseable watch;
  private volatile long currentMs;

  /** @param defaultMs the period while the cluster object sets none */
  public HeartbeatPeriod(Store store, long defaultMs) {
    this.defaultMs = defaultMs;
    this.currentMs = defaultMs;
    // Watch first, then read: a change between the two is seen by the watch.
    this.watch = store.watch(this::onEvents);
    store.read(v -> v.cluster()).ifPresent(this::set);
  }

  private void onEvents(List<WatchEvent> events) {
    for (WatchEvent e : events) {
      if (e.getObject().hasCluster() && e.getType() != ActionType.DELETE) {
        set(e.getObject().getCluster());
      }
    }
  }

  private void set(Cluster c) {
    currentMs = c.getDispatcherHeartbeatMs() > 0 ? c.getDispatcherHeartbeatMs() : defaultMs;
  }

  @Override
  public long getAsLong() {
    return currentMs;
  }

  @Override
  public void close() throws Exception {
    watch.close();
  }
}
