package dev.orch.agent.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CertificateInfoTest {
  private static final Instant FROM = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2030-04-01T00:00:00Z");

  @Test
  void readsIdentityFromSubject() throws Exception {
    X509Certificate cert = TestCertificates.selfSigned(NodeKeys.generate(), "CN=node-7,OU=orch-worker,O=cluster-1", FROM, TO);

    CertificateInfo info = CertificateInfo.of(cert);

    assertEquals(new CertificateInfo("node-7", Roles.WORKER, "cluster-1", FROM, TO, CaDigest.of(cert)), info);
    assertTrue(info.validAt(FROM));
    assertFalse(info.validAt(TO.plusSeconds(1)));
  }

  @Test
  void missingAttributesAreNull() throws Exception {
    CertificateInfo info = CertificateInfo.of(TestCertificates.selfSigned(NodeKeys.generate(), "CN=only", FROM, TO));

    assertEquals("only", info.nodeId());
    assertNull(info.role());
    assertNull(info.clusterId());
  }

  @Test
  void noSessionMeansNoPeer() {
    assertEquals(Optional.empty(), CertificateInfo.ofPeer(null));
  }
}
