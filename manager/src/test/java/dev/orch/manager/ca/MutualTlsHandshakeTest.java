package dev.orch.manager.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.agent.tls.CaDigest;
import dev.orch.agent.tls.CertificateInfo;
import dev.orch.agent.tls.NodeKeys;
import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.Roles;
import dev.orch.agent.tls.TlsContexts;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real handshakes against a gRPC server built from {@link TlsContexts#server}: who gets in, and
 * what identity the server sees. The one method answers with the verified peer's CN and OU.
 */
class MutualTlsHandshakeTest {
  private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<String, String> WHO_AM_I = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("orch.test.Peer/WhoAmI")
      .setRequestMarshaller(TEXT)
      .setResponseMarshaller(TEXT)
      .build();
  private static final Context.Key<String> PEER = Context.key("peer");
  private static final String ANONYMOUS = "anonymous";
  private static final Duration HOUR = Duration.ofHours(1);

  // the system clock: the TLS stacks check validity against the real time
  private static final RootCa CA = RootCa.create("cluster-a", Clock.systemUTC());
  private static final RootCa OTHER_CA = RootCa.create("cluster-b", Clock.systemUTC());
  private static Identity manager;
  private static Identity worker;
  private static Identity foreignWorker;
  private static Server server;

  record Identity(PrivateKey key, X509Certificate cert) {
    List<X509Certificate> chain() {
      return List.of(cert);
    }
  }

  @BeforeAll
  static void startServer() throws IOException {
    manager = identity(CA, "mgr-1", Roles.MANAGER);
    worker = identity(CA, "worker-1", Roles.WORKER);
    foreignWorker = identity(OTHER_CA, "worker-9", Roles.WORKER);
    server = start(TlsContexts.server(manager.key(), manager.chain(), CA.certificate()));
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void clientWithClusterCertificateIsSeenWithItsRole() {
    assertEquals("worker-1/orch-worker", call(server, b -> b.sslContext(TlsContexts.client(CA.certificate(), worker.key(), worker.chain()))));
  }

  @Test
  void clientWithoutCertificateGetsInAnonymously() {
    // how a joining node asks for its certificate: TLS verifies the server, the token admits the node
    assertEquals(ANONYMOUS, call(server, b -> b.sslContext(TlsContexts.client(CA.certificate(), null, null))));
  }

  @Test
  void clientCertificateOfAnotherCaIsNeverAVerifiedIdentity() {
    SslContext foreign = TlsContexts.client(CA.certificate(), foreignWorker.key(), foreignWorker.chain());

    // the server's TLS stack drops a client certificate it cannot verify: the caller is anonymous
    assertEquals(ANONYMOUS, call(server, b -> b.sslContext(foreign)));
  }

  @Test
  void plaintextClientFails() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(server, b -> b.usePlaintext()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
  }

  @Test
  void clientTrustingAnotherCaRefusesTheServer() {
    SslContext wrongTrust = TlsContexts.client(OTHER_CA.certificate(), foreignWorker.key(), foreignWorker.chain());

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(server, b -> b.sslContext(wrongTrust)));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
  }

  @Test
  void workerCertificateCannotServeAsManager() throws Exception {
    // the client checks the orch-manager name, which the CA never gives a worker
    Server impostor = start(TlsContexts.server(worker.key(), worker.chain(), CA.certificate()));
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> call(impostor, b -> b.sslContext(TlsContexts.client(CA.certificate(), null, null))));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    } finally {
      impostor.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void bootstrapClientReachesAnyServerAndTheDigestDecides() throws InterruptedException {
    Server foreignManager = start(TlsContexts.server(manager.key(), manager.chain(), OTHER_CA.certificate()));
    try {
      assertEquals(ANONYMOUS, call(foreignManager, b -> b.sslContext(TlsContexts.insecureClientForBootstrap())));
    } finally {
      foreignManager.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // what the joining node then checks: only the token's digest makes the fetched CA trusted
    assertEquals(CA.digest(), CaDigest.of(Pem.certificate(CA.certPem())));
  }

  private static Identity identity(RootCa ca, String nodeId, String role) {
    KeyPair keys = NodeKeys.generate();
    return new Identity(keys.getPrivate(), ca.issue(NodeKeys.csr(keys), nodeId, role, HOUR, List.of("127.0.0.1")));
  }

  private static Server start(SslContext tls) {
    ServerServiceDefinition service = ServerServiceDefinition.builder("orch.test.Peer")
        .addMethod(WHO_AM_I, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(PEER.get());
          response.onCompleted();
        }))
        .build();
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .sslContext(tls)
          .addService(ServerInterceptors.intercept(service, new PeerInterceptor()))
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String call(Server target, Function<NettyChannelBuilder, NettyChannelBuilder> security) {
    ManagedChannel channel = security.apply(NettyChannelBuilder.forAddress("127.0.0.1", target.getPort())
            .overrideAuthority(TlsContexts.MANAGER_AUTHORITY))
        .build();
    try {
      return ClientCalls.blockingUnaryCall(channel, WHO_AM_I, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hello");
    } finally {
      channel.shutdownNow();
    }
  }

  /** What an authorizing interceptor sees: the verified peer certificate, or none. */
  private static final class PeerInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      String peer = CertificateInfo.ofPeer(session).map(i -> i.nodeId() + "/" + i.role()).orElse(ANONYMOUS);
      return Contexts.interceptCall(Context.current().withValue(PEER, peer), call, headers, next);
    }
  }
}
