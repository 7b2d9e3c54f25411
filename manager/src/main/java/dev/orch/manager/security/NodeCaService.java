package dev.orch.manager.security;

import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.Roles;
import dev.orch.manager.Actions;
import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.ca.JoinToken;
import dev.orch.manager.ca.RootCa;
import dev.orch.proto.Cluster;
import dev.orch.proto.GetRootCACertificateRequest;
import dev.orch.proto.GetRootCACertificateResponse;
import dev.orch.proto.IssueNodeCertificateRequest;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeCAGrpc;
import dev.orch.proto.NodeCertificateResponse;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.RenewNodeCertificateRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import dev.orch.proto.JoinRaftRequest;
import dev.orch.proto.JoinRaftResponse;
import dev.orch.proto.ManagerStatus;
import dev.orch.store.raft.RaftStore;
import dev.orch.store.raft.RaftStoreConfig;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Issues node certificates. The node id, role and cluster in a certificate always come from this
 * manager's state (a new node id at join, the role the token's secret grants, the stored role on
 * renewal), never from the request, so a CSR cannot ask for more than its token allows.
 */
public final class NodeCaService extends NodeCAGrpc.NodeCAImplBase {
  private final StoreWriter writer;
  private final RaftStore raft;
  private final Ids ids;
  private final Duration validity;
  private final Supplier<List<String>> managers;
  private volatile RootCa cached;

  public NodeCaService(StoreWriter writer, RaftStore raft, Ids ids, Duration validity,
      Supplier<List<String>> managers) {
    this.writer = writer;
    this.raft = raft;
    this.ids = ids;
    this.validity = validity;
    this.managers = managers;
  }

  private Cluster cluster() {
    return writer.store().read(v -> v.cluster()).orElseThrow(() ->
        Status.UNAVAILABLE.withDescription("the cluster is still starting; retry in a moment").asRuntimeException());
  }

  private RootCa rootCa(Cluster c) {
    RootCa ca = cached;
    if (ca == null || !ca.digest().equals(c.getRootCa().getDigest())) {
      ca = RootCa.fromPem(c.getRootCa().getCertPem(), c.getRootCa().getKeyPem());
      cached = ca;
    }
    return ca;
  }

  @Override
  public void getRootCACertificate(GetRootCACertificateRequest req, StreamObserver<GetRootCACertificateResponse> out) {
    out.onNext(GetRootCACertificateResponse.newBuilder().setCertPem(cluster().getRootCa().getCertPem()).build());
    out.onCompleted();
  }

  @Override
  public void issueNodeCertificate(IssueNodeCertificateRequest req, StreamObserver<NodeCertificateResponse> out) {
    Cluster c = cluster();
    NodeRole role = roleFor(req.getToken(), c);
    String nodeId = ids.next();
    String host = hostOf(req.getAdvertiseAddr());
    boolean manager = role == NodeRole.MANAGER;
    if (manager && (req.getControlPort() <= 0 || req.getRaftPort() <= 0)) {
      throw Status.INVALID_ARGUMENT.withDescription("a manager must say its API and Raft ports").asRuntimeException();
    }
    X509Certificate cert = issue(c, req.getCsrPem(), nodeId, manager ? Roles.MANAGER : Roles.WORKER, host);
    Node.Builder node = Node.newBuilder()
        .setMeta(Meta.newBuilder().setId(nodeId))
        .setSpec(NodeSpec.newBuilder().setRole(role).setAvailability(NodeAvailability.ACTIVE))
        .setDescription(NodeDescription.newBuilder().setHostname(req.getHostname()))
        .setStatus(NodeStatus.newBuilder().setState(NodeState.NODE_UNKNOWN).setAddr(host));
    if (manager) {
      node.setManagerStatus(ManagerStatus.newBuilder()
          .setAddr(host + ":" + req.getControlPort())
          .setRaftAddr(host + ":" + req.getRaftPort()));
    }
    var r = writer.submit(List.of(Actions.upsert(node.build())));
    if (!r.getOk()) {
      throw Status.UNAVAILABLE.withDescription("recording the new node failed: " + r.getError()).asRuntimeException();
    }
    out.onNext(response(c, nodeId, role, cert));
    out.onCompleted();
  }

  /** A manager that joined asks to be added to the Raft group; only its own address is accepted. */
  @Override
  public void joinRaft(JoinRaftRequest req, StreamObserver<JoinRaftResponse> out) {
    PeerIdentity peer = PeerIdentity.current();
    Node node = writer.store().read(v -> v.node(peer.nodeId())).orElseThrow(() ->
        Status.PERMISSION_DENIED.withDescription("unknown node " + peer.nodeId()).asRuntimeException());
    if (node.getSpec().getRole() != NodeRole.MANAGER || !Roles.MANAGER.equals(peer.role())) {
      throw Status.PERMISSION_DENIED.withDescription("only managers join the Raft group").asRuntimeException();
    }
    String raftAddr = node.getManagerStatus().getRaftAddr();
    if (!raftAddr.equals(req.getRaftAddr())) {
      throw Status.INVALID_ARGUMENT.withDescription("raft address " + req.getRaftAddr()
          + " is not the one recorded at join (" + raftAddr + ")").asRuntimeException();
    }
    boolean member = raft.members().stream().anyMatch(p -> p.id().equals(peer.nodeId()));
    if (!member) {
      int colon = raftAddr.lastIndexOf(':');
      try {
        raft.addMember(new RaftStoreConfig.Peer(peer.nodeId(), new InetSocketAddress(
            raftAddr.substring(0, colon), Integer.parseInt(raftAddr.substring(colon + 1))))).get(60, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        throw Status.UNAVAILABLE.withDescription("adding the manager to the Raft group failed: " + cause.getMessage())
            .asRuntimeException();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
    }
    JoinRaftResponse.Builder r = JoinRaftResponse.newBuilder();
    DataKey key = dev.orch.manager.control.SecretSealing.current().orElseThrow(() -> Status.UNAVAILABLE
        .withDescription("this manager has no data key yet; join through another manager").asRuntimeException());
    r.setDataKey(com.google.protobuf.ByteString.copyFrom(key.encoded()));
    raft.members().forEach(p -> r.addMembers(p.id() + "@" + p.address().getHostString() + ":" + p.address().getPort()));
    out.onNext(r.build());
    out.onCompleted();
  }

  @Override
  public void renewNodeCertificate(RenewNodeCertificateRequest req, StreamObserver<NodeCertificateResponse> out) {
    PeerIdentity peer = PeerIdentity.current();
    Node node = writer.store().read(v -> v.node(peer.nodeId())).orElseThrow(() ->
        Status.PERMISSION_DENIED.withDescription("node " + peer.nodeId() + " was removed from the cluster; join again")
            .asRuntimeException());
    Cluster c = cluster();
    String role = node.getSpec().getRole() == NodeRole.MANAGER ? Roles.MANAGER : Roles.WORKER;
    X509Certificate cert = issue(c, req.getCsrPem(), peer.nodeId(), role, node.getStatus().getAddr());
    out.onNext(response(c, peer.nodeId(), node.getSpec().getRole(), cert));
    out.onCompleted();
  }

  private X509Certificate issue(Cluster c, String csr, String nodeId, String role, String host) {
    try {
      return rootCa(c).issue(csr, nodeId, role, validity, host.isEmpty() ? List.of() : List.of(host));
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
  }

  private NodeCertificateResponse response(Cluster c, String nodeId, NodeRole role, X509Certificate cert) {
    return NodeCertificateResponse.newBuilder()
        .setNodeId(nodeId)
        .setCertificatePem(Pem.encode(cert))
        .setCaPem(c.getRootCa().getCertPem())
        .setRole(role)
        .addAllManagers(managers.get())
        .build();
  }

  /** The role the token's secret grants, refusing tokens of other clusters and rotated ones. */
  static NodeRole roleFor(String tokenText, Cluster c) {
    JoinToken token;
    try {
      token = JoinToken.parse(tokenText);
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (!token.caDigest().equals(c.getRootCa().getDigest())) {
      throw denied("the join token is for another cluster (its CA digest does not match this cluster's)");
    }
    if (matches(token, c.getJoinTokens().getWorker())) {
      return NodeRole.WORKER;
    }
    if (matches(token, c.getJoinTokens().getManager())) {
      return NodeRole.MANAGER;
    }
    throw denied("the join token's secret is not valid (wrong, or the token was rotated);"
        + " get the current one with: orchctl swarm join-token worker");
  }

  private static boolean matches(JoinToken given, String current) {
    return !current.isEmpty() && JoinToken.parse(current).secretMatches(given.secret());
  }

  private static StatusRuntimeException denied(String message) {
    return Status.PERMISSION_DENIED.withDescription(message).asRuntimeException();
  }

  private static String hostOf(String addr) {
    int colon = addr.lastIndexOf(':');
    return colon > 0 && addr.indexOf(':') == colon ? addr.substring(0, colon) : addr;
  }
}
