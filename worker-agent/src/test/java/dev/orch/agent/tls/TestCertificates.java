package dev.orch.agent.tls;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates for tests here; the real CA lives in the manager module. */
final class TestCertificates {
  private TestCertificates() {}

  static X509Certificate selfSigned(KeyPair keys, String subject, Instant notBefore, Instant notAfter) throws Exception {
    X500Name name = new X500Name(subject);
    var builder = new JcaX509v3CertificateBuilder(
        name, BigInteger.valueOf(notBefore.getEpochSecond()), Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  static X509Certificate selfSigned(String subject) throws Exception {
    return selfSigned(NodeKeys.generate(), subject, Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2031-01-01T00:00:00Z"));
  }
}
