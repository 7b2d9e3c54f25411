package dev.orch.agent.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CaDigestTest {
  @Test
  void isLowercaseHexSha256OfDer() throws Exception {
    X509Certificate ca = TestCertificates.selfSigned("CN=orch-root-ca");

    String digest = CaDigest.of(ca);

    assertTrue(digest.matches("[0-9a-f]{64}"), digest);
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getEncoded())), digest);
    assertEquals(digest, CaDigest.of(Pem.certificate(Pem.encode(ca))), "survives a PEM round trip");
    assertNotEquals(digest, CaDigest.of(TestCertificates.selfSigned("CN=orch-root-ca")));
  }
}
