package dev.orch.manager;

import dev.orch.proto.ActionType;
import dev.orch.proto.Cluster;
import dev.orch.manager.network.Networks;
import dev.orch.proto.Meta;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkSpec;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import dev.orch.agent.tls.CaDigest;
import dev.orch.agent.tls.Pem;
import dev.orch.manager.ca.JoinToken;
import dev.orch.manager.security.CertificateFiles;
import dev.orch.proto.JoinTokens;
import dev.orch.proto.RootCA;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Random;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the objects every cluster has exist: the Cluster object, the ingress network and this
 * manager's own Node.
 * Runs each time this manager becomes leader; it only creates what is missing.
 */
final class ClusterBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterBootstrap.class);

  private final StoreWriter writer;
  private final NodeIdentity identity;
  private final CertificateFiles certificates;
  private final Random random;

  private final long heartbeatMs;
  private final AddressPoolOptions addressPool;

  ClusterBootstrap(StoreWriter writer, NodeIdentity identity, CertificateFiles certificates, Random random,
      long heartbeatMs, AddressPoolOptions addressPool) {
    this.heartbeatMs = heartbeatMs;
    this.addressPool = addressPool;
    this.writer = writer;
    this.identity = identity;
    this.certificates = certificates;
    this.random = random;
  }

  /** The cluster object of a new cluster: the root CA that init wrote, and fresh join tokens. */
  private Cluster newCluster() {
    try {
      String certPem = Files.readString(certificates.caCert());
      String digest = CaDigest.of(Pem.certificate(certPem));
      return Cluster.newBuilder()
          .setMeta(Meta.newBuilder().setId(identity.clusterId()))
          .setName("default")
          .setDispatcherHeartbeatMs(heartbeatMs)
          .setDefaultAddrPool(addressPool.pool())
          .setDefaultSubnetSize(addressPool.subnetSize())
          .setRootCa(RootCA.newBuilder()
              .setCertPem(certPem)
              .setKeyPem(Files.readString(certificates.caKey()))
              .setDigest(digest))
          .setJoinTokens(JoinTokens.newBuilder()
              .setWorker(new JoinToken(1, digest, JoinToken.newSecret(random)).toString())
              .setManager(new JoinToken(1, digest, JoinToken.newSecret(random)).toString()))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the root CA written by init", e);
    }
  }

  /** The routing-mesh overlay; the allocator gives it a subnet from the pool like any other. */
  private Network ingressNetwork() {
    return Network.newBuilder()
        .setMeta(Meta.newBuilder().setId(new Ids(random).next()))
        .setSpec(NetworkSpec.newBuilder().setName(Networks.INGRESS).setDriver(Networks.OVERLAY).setIngress(true))
        .build();
  }

  void ensure() {
    List<StoreAction> actions = new ArrayList<>();
    writer.store().read(v -> {
      if (v.cluster().isEmpty()) {
        actions.add(StoreAction.newBuilder().setType(ActionType.CREATE)
            .setObject(StoredObject.newBuilder().setCluster(newCluster()))
            .build());
      }
      v.node(identity.nodeId())
          .filter(n -> !n.getManagerStatus().getAddr().equals(identity.controlAddress()))
          .ifPresent(n -> actions.add(Actions.upsert(n.toBuilder()
              // Restored or moved: record where this manager serves now.
              .setManagerStatus(dev.orch.proto.ManagerStatus.newBuilder()
                  .setAddr(identity.controlAddress())
                  .setRaftAddr(identity.advertiseHost() + ":" + identity.raftPort()))
              .build())));
      if (v.networkByName(Networks.INGRESS).isEmpty() && Networks.ingress(v).isEmpty()) {
        actions.add(Actions.create(ingressNetwork()));
      }
      if (v.node(identity.nodeId()).isEmpty()) {
        actions.add(Actions.upsert(Node.newBuilder()
            .setMeta(Meta.newBuilder().setId(identity.nodeId()))
            .setSpec(NodeSpec.newBuilder().setRole(NodeRole.MANAGER).setAvailability(NodeAvailability.ACTIVE))
            .setStatus(NodeStatus.newBuilder().setState(NodeState.NODE_UNKNOWN).setAddr(identity.advertiseHost()))
            .setManagerStatus(dev.orch.proto.ManagerStatus.newBuilder()
                .setAddr(identity.controlAddress())
                .setRaftAddr(identity.advertiseHost() + ":" + identity.raftPort()))
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
