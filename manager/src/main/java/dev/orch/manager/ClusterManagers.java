package dev.orch.manager;

import dev.orch.proto.ActionType;
import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import dev.orch.store.raft.RaftStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Where the cluster's managers serve, and which one leads, from the store and Raft. Every session
 * and every join is told the manager list, so it is kept from the store's watch (one map entry per
 * manager) rather than computed from every node of the cluster each time.
 */
public final class ClusterManagers implements AutoCloseable {
  private final Store store;
  private final Supplier<Optional<String>> leaderId;
  private final NodeIdentity self;
  /** API address by node id of every manager that has one; guarded by {@code this}. */
  private final TreeMap<String, String> managers = new TreeMap<>();
  private final AutoCloseable watch;

  public ClusterManagers(RaftStore store, NodeIdentity self) {
    this(store, store::leaderId, self);
  }

  /** @param leaderId the node id of the Raft leader, when one is known */
  public ClusterManagers(Store store, Supplier<Optional<String>> leaderId, NodeIdentity self) {
    this.store = store;
    this.leaderId = leaderId;
    this.self = self;
    // Watch first, then read: an event that the read already reflects changes nothing when it
    // arrives, and one that comes later is newer than the read.
    this.watch = store.watch(this::observe);
    store.read(v -> {
      synchronized (this) {
        v.nodes().forEach(this::record);
      }
      return null;
    });
  }

  private synchronized void observe(List<WatchEvent> events) {
    for (WatchEvent e : events) {
      if (!e.getObject().hasNode()) {
        continue;
      }
      Node n = e.getObject().getNode();
      if (e.getType() == ActionType.DELETE) {
        managers.remove(n.getMeta().getId());
      } else {
        record(n);
      }
    }
  }

  private void record(Node n) {
    String addr = n.getManagerStatus().getAddr();
    if (n.getSpec().getRole() == NodeRole.MANAGER && !addr.isEmpty()) {
      managers.put(n.getMeta().getId(), addr);
    } else {
      managers.remove(n.getMeta().getId());
    }
  }

  /** API addresses (host:port) of every manager, this one first. */
  public synchronized List<String> addresses() {
    List<String> out = new ArrayList<>();
    out.add(self.controlAddress());
    for (String addr : managers.values()) {
      if (!out.contains(addr)) {
        out.add(addr);
      }
    }
    return out;
  }

  /** API address of the current leader, if one is known. */
  public Optional<String> leaderAddress() {
    Optional<String> leader = leaderId.get();
    if (leader.isEmpty()) {
      return Optional.empty();
    }
    if (leader.get().equals(self.nodeId())) {
      return Optional.of(self.controlAddress());
    }
    return store.read(v -> v.node(leader.get()))
        .map(n -> n.getManagerStatus().getAddr())
        .filter(a -> !a.isEmpty());
  }

  @Override
  public void close() throws Exception {
    watch.close();
  }
}
