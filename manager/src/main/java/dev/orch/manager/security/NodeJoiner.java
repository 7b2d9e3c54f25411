package dev.orch.manager.security;

import dev.orch.agent.tls.CaDigest;
import dev.orch.agent.tls.NodeKeys;
import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.TlsContexts;
import dev.orch.manager.ca.JoinToken;
import dev.orch.proto.GetRootCACertificateRequest;
import dev.orch.proto.IssueNodeCertificateRequest;
import dev.orch.proto.NodeCAGrpc;
import dev.orch.proto.NodeCertificateResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * Joins a node to a cluster: fetches the cluster's root CA, refuses it unless its digest is the one
 * pinned in the join token, then proves the token's secret over a connection that verifies the
 * manager against that CA and receives a certificate whose identity the manager decided.
 */
public final class NodeJoiner {
  /** What joining produced. */
  public record Joined(String nodeId, String clusterId, boolean manager, String managerAddress) {}

  private NodeJoiner() {}

  public static Joined join(JoinToken token, String managerAddress, String advertiseHost, String hostname,
      Path dataDir) throws IOException {
    return join(token, managerAddress, advertiseHost, hostname, dataDir, 0, 0);
  }

  /**
   * @param controlPort where this node will serve the APIs if the token makes it a manager
   * @param raftPort its Raft port if the token makes it a manager
   */
  public static Joined join(JoinToken token, String managerAddress, String advertiseHost, String hostname,
      Path dataDir, int controlPort, int raftPort) throws IOException {
    X509Certificate ca = fetchPinnedCa(token, managerAddress);
    KeyPair keys = NodeKeys.generate();
    ManagedChannel ch = NettyChannelBuilder.forTarget(managerAddress)
        .sslContext(TlsContexts.client(ca, null, null))
        .overrideAuthority(TlsContexts.MANAGER_AUTHORITY)
        .build();
    try {
      NodeCertificateResponse r = NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
          .issueNodeCertificate(IssueNodeCertificateRequest.newBuilder()
              .setCsrPem(NodeKeys.csr(keys))
              .setToken(token.toString())
              .setAdvertiseAddr(advertiseHost)
              .setHostname(hostname)
              .setControlPort(controlPort)
              .setRaftPort(raftPort)
              .build());
      new CertificateFiles(dataDir).saveNode(Pem.encode(ca), r.getCertificatePem(), Pem.encode(keys.getPrivate()));
      var info = dev.orch.agent.tls.CertificateInfo.of(Pem.certificate(r.getCertificatePem()));
      return new Joined(r.getNodeId(), info.clusterId(), r.getRole() == dev.orch.proto.NodeRole.MANAGER,
          managerAddress);
    } catch (StatusRuntimeException e) {
      throw new IOException("the manager refused to join this node: " + e.getStatus().getDescription(), e);
    } finally {
      ch.shutdownNow();
    }
  }

  private static X509Certificate fetchPinnedCa(JoinToken token, String managerAddress) throws IOException {
    // Trusting any server here is safe only because the certificate is checked against the token's
    // digest before anything secret is sent.
    ManagedChannel ch = NettyChannelBuilder.forTarget(managerAddress)
        .sslContext(TlsContexts.insecureClientForBootstrap())
        .build();
    try {
      String pem = NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS)
          .getRootCACertificate(GetRootCACertificateRequest.getDefaultInstance()).getCertPem();
      X509Certificate ca = Pem.certificate(pem);
      String digest = CaDigest.of(ca);
      if (!digest.equals(token.caDigest())) {
        throw new IOException("the manager at " + managerAddress + " presents a root CA with sha256 " + digest
            + ", not the " + token.caDigest() + " pinned in the token: wrong token or an impostor; refusing to join");
      }
      return ca;
    } catch (StatusRuntimeException e) {
      throw new IOException("cannot fetch the cluster CA from " + managerAddress + ": "
          + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
    } finally {
      ch.shutdownNow();
    }
  }
}
