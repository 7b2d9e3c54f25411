package dev.orch.manager;

import dev.orch.proto.ActionType;
import dev.orch.proto.Cluster;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the objects every cluster has exist: the Cluster object and this manager's own Node.
 * Runs each time this manager becomes leader; it only creates what is missing.
 */
final class ClusterBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterBootstrap.class);
  static final long DEFAULT_HEARTBEAT_MS = 1_000;

  private final StoreWriter writer;
  private final NodeIdentity identity;

  ClusterBootstrap(StoreWriter writer, NodeIdentity identity) {
    this.writer = writer;
    this.identity = identity;
  }

  void ensure() {
    List<StoreAction> actions = new ArrayList<>();
    writer.store().read(v -> {
      if (v.cluster().isEmpty()) {
        actions.add(StoreAction.newBuilder().setType(ActionType.CREATE)
            .setObject(StoredObject.newBuilder().setCluster(Cluster.newBuilder()
                .setMeta(Meta.newBuilder().setId(identity.clusterId()))
                .setName("default")
                .setDispatcherHeartbeatMs(DEFAULT_HEARTBEAT_MS)))
            .build());
      }
      if (v.node(identity.nodeId()).isEmpty()) {
        actions.add(Actions.upsert(Node.newBuilder()
            .setMeta(Meta.newBuilder().setId(identity.nodeId()))
            .setSpec(NodeSpec.newBuilder().setRole(NodeRole.MANAGER).setAvailability(NodeAvailability.ACTIVE))
            .setStatus(NodeStatus.newBuilder().setState(NodeState.NODE_UNKNOWN).setAddr(identity.advertiseHost()))
            .build()));
      }
      return null;
    });
    if (actions.isEmpty()) {
      return;
    }
    try {
      var r = writer.submit(actions);
      if (!r.getOk()) {
        LOG.warn("bootstrapping cluster objects refused: {}", r.getError());
      }
    } catch (RuntimeException e) {
      LOG.warn("bootstrapping cluster objects failed: {}", e.toString());
    }
  }
}
