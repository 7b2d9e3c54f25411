package dev.orch.agent.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A node's own key pair and the request it sends to the CA. The private key never leaves the node:
 * only the CSR travels, and the CA decides everything the certificate says.
 */
public final class NodeKeys {
  /** The curve of every key in the cluster; the CA refuses requests for other keys. */
  public static final String CURVE = "secp256r1";
  static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  // The CA overwrites the subject, so a request carries no identity of its own.
  private static final X500Name PLACEHOLDER_SUBJECT = new X500Name("CN=orch-node");

  private NodeKeys() {}

  /** A fresh EC P-256 key pair. */
  public static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(CURVE));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      // P-256 is required of every Java platform
      throw new IllegalStateException("cannot generate an EC " + CURVE + " key pair", e);
    }
  }

  /** A PEM PKCS#10 request for {@code keys}, signed by its private key (proof of possession). */
  public static String csr(KeyPair keys) {
    try {
      PKCS10CertificationRequest request =
          new JcaPKCS10CertificationRequestBuilder(PLACEHOLDER_SUBJECT, keys.getPublic())
              .build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(keys.getPrivate()));
      return Pem.encode(Pem.CERTIFICATE_REQUEST, request.getEncoded());
    } catch (OperatorCreationException | java.io.IOException e) {
      throw new IllegalArgumentException("cannot sign a certificate request with this key: " + e.getMessage(), e);
    }
  }
}
