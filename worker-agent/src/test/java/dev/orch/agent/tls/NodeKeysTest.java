package dev.orch.agent.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class NodeKeysTest {
  @Test
  void keysAreEcP256() {
    KeyPair keys = NodeKeys.generate();

    ECPublicKey pub = (ECPublicKey) keys.getPublic();
    assertEquals(256, pub.getParams().getCurve().getField().getFieldSize());
    assertNotEquals(pub, NodeKeys.generate().getPublic());
  }

  @Test
  void csrIsSignedByTheKeyItCarries() throws Exception {
    KeyPair keys = NodeKeys.generate();

    String pem = NodeKeys.csr(keys);

    assertTrue(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----\n"), pem);
    PKCS10CertificationRequest csr = Pem.certificateRequest(pem);
    PublicKey carried = new JcaPKCS10CertificationRequest(csr).getPublicKey();
    assertEquals(keys.getPublic(), carried);
    assertTrue(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(carried)));
  }
}
