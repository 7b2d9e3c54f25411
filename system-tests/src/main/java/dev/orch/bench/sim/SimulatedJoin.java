package dev.orch.bench.sim;

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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SIMULATION: joins simulated nodes with the worker token through the real CA API, as {@code orchd
 * join} does, but keeps keys and certificates in memory instead of a data dir per node. The manager
 * records each node and decides its id, exactly as for a real one.
 */
final class SimulatedJoin implements AutoCloseable {
  /** A joined node: the id the manager gave it and the mutual-TLS channel it talks on. */
  record Joined(String nodeId, ManagedChannel channel) {}

  private static final int JOIN_ATTEMPTS = 10;

  private final String manager;
  private final JoinToken token;
  private final X509Certificate ca;
  private final ManagedChannel joinChannel;

  SimulatedJoin(String manager, String token) {
    this.manager = manager;
    this.token = JoinToken.parse(token);
    this.ca = fetchPinnedCa();
    this.joinChannel = NettyChannelBuilder.forTarget(manager)
        .sslContext(TlsContexts.client(ca, null, null))
        .overrideAuthority(TlsContexts.MANAGER_AUTHORITY)
        .build();
  }

  private X509Certificate fetchPinnedCa() {
    ManagedChannel ch = NettyChannelBuilder.forTarget(manager).sslContext(TlsContexts.insecureClientForBootstrap())
        .build();
    try {
      X509Certificate fetched = Pem.certificate(NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS)
          .getRootCACertificate(GetRootCACertificateRequest.getDefaultInstance()).getCertPem());
      if (!CaDigest.of(fetched).equals(token.caDigest())) {
        throw new IllegalStateException("the manager's root CA does not match the join token");
      }
      return fetched;
    } finally {
      ch.shutdownNow();
    }
  }

  /**
   * Joins one node named {@code hostname} and opens its own mutual-TLS channel. A join the manager
   * could not commit in time (a busy machine) is retried, as a person would run {@code orchd join}
   * again.
   */
  Joined join(String hostname) throws InterruptedException {
    KeyPair keys = NodeKeys.generate();
    IssueNodeCertificateRequest request = IssueNodeCertificateRequest.newBuilder()
        .setCsrPem(NodeKeys.csr(keys))
        .setToken(token.toString())
        .setAdvertiseAddr("127.0.0.1")
        .setHostname(hostname)
        .build();
    NodeCertificateResponse r = null;
    for (int attempt = 1; r == null; attempt++) {
      try {
        r = NodeCAGrpc.newBlockingStub(joinChannel).withDeadlineAfter(60, TimeUnit.SECONDS)
            .issueNodeCertificate(request);
      } catch (StatusRuntimeException e) {
        // A join not answered in time is tried again, as a person would; should the first one
        // have committed after all, its node never opens a session and is not counted.
        if (attempt == JOIN_ATTEMPTS || e.getStatus().getCode() != Status.Code.UNAVAILABLE
            && e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
          throw e;
        }
        Thread.sleep(500L * attempt); // retry backoff, not a wait for a condition
      }
    }
    ManagedChannel channel = NettyChannelBuilder.forTarget(manager)
        .sslContext(TlsContexts.client(ca, keys.getPrivate(), List.of(Pem.certificate(r.getCertificatePem()))))
        .overrideAuthority(TlsContexts.MANAGER_AUTHORITY)
        .maxInboundMessageSize(64 << 20)
        .build();
    return new Joined(r.getNodeId(), channel);
  }

  @Override
  public void close() {
    joinChannel.shutdownNow();
  }
}
