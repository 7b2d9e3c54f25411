package dev.orch.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.tls.CertificateInfo;
import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.Roles;
import dev.orch.agent.tls.TlsContexts;
import dev.orch.manager.ca.JoinToken;
import dev.orch.manager.security.CertificateFiles;
import dev.orch.manager.security.NodeJoiner;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.GetJoinTokensRequest;
import dev.orch.proto.IssueNodeCertificateRequest;
import dev.orch.proto.ListServicesRequest;
import dev.orch.proto.NodeCAGrpc;
import dev.orch.proto.NodeCertificateResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Joining and authorization against a real manager: what must be refused is refused, clearly. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JoinSecuritySystemTest {
  @TempDir static Path tmp;
  private SingleNode orch;
  private JoinToken workerToken;

  @BeforeAll
  void start() throws Exception {
    RootOnly.require("the join security test");
    orch = new SingleNode(tmp.resolve("data"));
    workerToken = JoinToken.parse(orch.control()
        .getJoinTokens(GetJoinTokensRequest.getDefaultInstance()).getWorker());
  }

  @AfterAll
  void stop() {
    if (orch != null) {
      orch.close();
    }
  }

  private String manager() {
    return orch.identity.controlAddress();
  }

  @Test
  void aWorkerJoinsAndGetsAWorkerCertificateWhoseIdentityTheManagerChose() throws Exception {
    Path dir = tmp.resolve("w1");
    NodeJoiner.Joined j = NodeJoiner.join(workerToken, manager(), "127.0.0.1", "w1", dir);
    CertificateInfo info = CertificateInfo.of(new CertificateFiles(dir).load().leaf());
    assertEquals(j.nodeId(), info.nodeId());
    assertEquals(Roles.WORKER, info.role());
    assertEquals(orch.identity.clusterId(), info.clusterId());
    assertFalse(j.manager());
  }

  @Test
  void aCsrAskingForTheManagerRoleWithAWorkerTokenGetsAWorkerCertificate() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = g.generateKeyPair();
    var csr = new JcaPKCS10CertificationRequestBuilder(
        new X500Name("CN=evil,OU=" + Roles.MANAGER + ",O=" + orch.identity.clusterId()), keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    var text = new java.io.StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(text)) {
      w.writeObject(csr);
    }
    ManagedChannel ch = NettyChannelBuilder.forTarget(manager())
        .sslContext(TlsContexts.client(new CertificateFiles(orch.dataDir).load().ca(), null, null))
        .overrideAuthority(TlsContexts.MANAGER_AUTHORITY).build();
    try {
      NodeCertificateResponse r = NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .issueNodeCertificate(IssueNodeCertificateRequest.newBuilder()
              .setCsrPem(text.toString()).setToken(workerToken.toString()).setAdvertiseAddr("127.0.0.1").build());
      CertificateInfo info = CertificateInfo.of(Pem.certificate(r.getCertificatePem()));
      assertEquals(Roles.WORKER, info.role());
      assertEquals(r.getNodeId(), info.nodeId());
      assertFalse(info.nodeId().equals("evil"));
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void aTokenPinningAnotherCaIsRefusedBeforeAnySecretIsSent() {
    JoinToken wrongCa = new JoinToken(1, "0".repeat(64), workerToken.secret());
    IOException e = assertThrows(IOException.class,
        () -> NodeJoiner.join(wrongCa, manager(), "127.0.0.1", "x", tmp.resolve("x1")));
    assertTrue(e.getMessage().contains("not the " + "0".repeat(64)), e.getMessage());
  }

  @Test
  void aWrongSecretIsRefused() {
    JoinToken wrongSecret = new JoinToken(1, workerToken.caDigest(), "a".repeat(25));
    IOException e = assertThrows(IOException.class,
        () -> NodeJoiner.join(wrongSecret, manager(), "127.0.0.1", "x", tmp.resolve("x2")));
    assertTrue(e.getMessage().contains("secret is not valid"), e.getMessage());
  }

  @Test
  void aRotatedTokenIsRefusedAndExistingNodesKeepWorking() throws Exception {
    Path dir = tmp.resolve("before-rotation");
    NodeJoiner.join(workerToken, manager(), "127.0.0.1", "b", dir);
    String rotated = orch.control().getJoinTokens(GetJoinTokensRequest.newBuilder().setRotateWorker(true).build())
        .getWorker();
    JoinToken old = workerToken;
    workerToken = JoinToken.parse(rotated);
    IOException e = assertThrows(IOException.class,
        () -> NodeJoiner.join(old, manager(), "127.0.0.1", "x", tmp.resolve("x3")));
    assertTrue(e.getMessage().contains("rotated"), e.getMessage());
    NodeJoiner.join(workerToken, manager(), "127.0.0.1", "after", tmp.resolve("after-rotation"));
  }

  @Test
  void aPlaintextConnectionIsRefused() {
    ManagedChannel ch = NettyChannelBuilder.forTarget(manager()).usePlaintext().build();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ControlGrpc.newBlockingStub(ch)
          .withDeadlineAfter(5, TimeUnit.SECONDS).listServices(ListServicesRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void aWorkerCertificateMayNotCallTheControlApi() throws Exception {
    Path dir = tmp.resolve("w2");
    NodeJoiner.join(workerToken, manager(), "127.0.0.1", "w2", dir);
    ManagedChannel ch = NettyChannelBuilder.forTarget(manager())
        .sslContext(new CertificateFiles(dir).load().client())
        .overrideAuthority(TlsContexts.MANAGER_AUTHORITY).build();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ControlGrpc.newBlockingStub(ch)
          .withDeadlineAfter(5, TimeUnit.SECONDS).listServices(ListServicesRequest.getDefaultInstance()));
      assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains(Roles.WORKER), e.getStatus().getDescription());
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void theAdminBundleIsWrittenForOrchctl() {
    assertTrue(Files.exists(orch.configDir.resolve("cert.pem")));
    assertTrue(Files.exists(orch.configDir.resolve("host")));
  }
}
