package dev.orch.manager;

import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import dev.orch.store.raft.RaftStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where the cluster's managers serve, and which one leads, from the store and Raft. */
public final class ClusterManagers {
  private final RaftStore store;
  private final NodeIdentity self;

  public ClusterManagers(RaftStore store, NodeIdentity self) {
    this.store = store;
    this.self = self;
  }

  /** API addresses (host:port) of every manager, this one first. */
  public List<String> addresses() {
    List<String> out = new ArrayList<>();
    out.add(self.controlAddress());
    store.read(v -> {
      for (Node n : v.nodes()) {
        String addr = n.getManagerStatus().getAddr();
        if (n.getSpec().getRole() == NodeRole.MANAGER && !addr.isEmpty() && !out.contains(addr)) {
          out.add(addr);
        }
      }
      return null;
    });
    return out;
  }

  /** API address of the current leader, if one is known. */
  public Optional<String> leaderAddress() {
    Optional<String> leader = store.leaderId();
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
}
