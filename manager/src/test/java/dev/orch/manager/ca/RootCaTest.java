package dev.orch.manager.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.tls.CaDigest;
import dev.orch.agent.tls.CertificateInfo;
import dev.orch.agent.tls.NodeKeys;
import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.Roles;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

class RootCaTest {
  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Duration DAY = Duration.ofDays(1);
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int DNS = 2;
  private static final int IP = 7;

  private final RootCa ca = RootCa.create("cluster-1", CLOCK);

  @Test
  void createsSelfSignedCa() throws Exception {
    X509Certificate cert = ca.certificate();

    cert.verify(cert.getPublicKey());
    assertEquals("O=cluster-1,CN=orch-root-ca", cert.getSubjectX500Principal().getName());
    assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertEquals(Integer.MAX_VALUE, cert.getBasicConstraints(), "CA:true without a path length");
    assertTrue(cert.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
    boolean[] usage = cert.getKeyUsage();
    assertTrue(usage[5] && usage[6], "keyCertSign and cRLSign");
    assertEquals(2, countTrue(usage));
    assertEquals(NOW.minusSeconds(60), cert.getNotBefore().toInstant());
    assertEquals(Instant.parse("2050-06-01T12:00:00Z"), cert.getNotAfter().toInstant());
    assertEquals("EC", cert.getPublicKey().getAlgorithm());
    assertEquals(CaDigest.of(cert), ca.digest());
    assertEquals("cluster-1", ca.clusterId());
  }

  @Test
  void roundTripsThroughPem() {
    RootCa back = RootCa.fromPem(ca.certPem(), ca.keyPem(), CLOCK);

    assertEquals(ca.certificate(), back.certificate());
    assertEquals(ca.digest(), back.digest());
    assertEquals("cluster-1", back.clusterId());
    X509Certificate issued = back.issue(NodeKeys.csr(NodeKeys.generate()), "n1", Roles.WORKER, DAY, List.of());
    assertVerifiesWith(issued, ca.certificate());
  }

  @Test
  void fromPemRefusesForeignKeyAndNonCaCertificate() {
    RootCa other = RootCa.create("cluster-1", CLOCK);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RootCa.fromPem(ca.certPem(), other.keyPem()))
        .getMessage().startsWith("not a root CA: the private key does not belong"));

    KeyPair keys = NodeKeys.generate();
    X509Certificate leaf = ca.issue(NodeKeys.csr(keys), "n1", Roles.WORKER, DAY, List.of());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RootCa.fromPem(Pem.encode(leaf), Pem.encode(keys.getPrivate())))
        .getMessage().endsWith("is not a CA certificate"));
  }

  @Test
  void issuesWorkerCertificateFromArgumentsNotFromRequest() throws Exception {
    String evilCsr = csrClaiming(NodeKeys.generate(), "CN=evil,OU=orch-manager,O=other-cluster", "orch-manager");

    X509Certificate cert = ca.issue(evilCsr, "node-1", Roles.WORKER, DAY, List.of("10.0.0.7"));

    assertVerifiesWith(cert, ca.certificate());
    CertificateInfo info = CertificateInfo.of(cert);
    assertEquals("node-1", info.nodeId());
    assertEquals(Roles.WORKER, info.role());
    assertEquals("cluster-1", info.clusterId());
    assertEquals(List.of(List.of(IP, "10.0.0.7")), List.copyOf(cert.getSubjectAlternativeNames()),
        "the orch-manager name the request asked for is not granted");
    assertEquals(List.of(SERVER_AUTH, CLIENT_AUTH), cert.getExtendedKeyUsage());
    assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    assertEquals(NOW.minusSeconds(60), info.notBefore());
    assertEquals(NOW.plus(DAY), info.notAfter());
  }

  @Test
  void issuesManagerCertificateWithManagerName() throws Exception {
    X509Certificate cert = ca.issue(NodeKeys.csr(NodeKeys.generate()), "mgr-1", Roles.MANAGER, DAY, List.of("10.0.0.1", "::1"));

    assertEquals(Roles.MANAGER, CertificateInfo.of(cert).role());
    assertEquals(List.of(List.of(DNS, "orch-manager"), List.of(IP, "10.0.0.1"), List.of(IP, "0:0:0:0:0:0:0:1")),
        List.copyOf(cert.getSubjectAlternativeNames()));
  }

  @Test
  void certificateWithoutAddressesHasNoSubjectAltNames() throws Exception {
    X509Certificate cert = ca.issue(NodeKeys.csr(NodeKeys.generate()), "admin", Roles.ADMIN, DAY, List.of());

    assertNull(cert.getSubjectAlternativeNames());
    assertEquals(Roles.ADMIN, CertificateInfo.of(cert).role());
  }

  @Test
  void serialsAreRandomAndPositive() {
    String csr = NodeKeys.csr(NodeKeys.generate());
    var a = ca.issue(csr, "n1", Roles.WORKER, DAY, List.of()).getSerialNumber();
    var b = ca.issue(csr, "n1", Roles.WORKER, DAY, List.of()).getSerialNumber();

    assertNotEquals(a, b);
    assertTrue(a.signum() > 0 && a.bitLength() <= 128, a.toString(16));
  }

  @Test
  void validityIsCutAtTheCaExpiry() {
    X509Certificate cert = ca.issue(NodeKeys.csr(NodeKeys.generate()), "n1", Roles.WORKER, Duration.ofDays(365 * 30), List.of());

    assertEquals(ca.certificate().getNotAfter(), cert.getNotAfter());
  }

  @Test
  void refusesRequestWhoseSignatureDoesNotVerify() throws Exception {
    byte[] der = Pem.certificateRequest(NodeKeys.csr(NodeKeys.generate())).getEncoded();
    // the other key's signature over this request's content
    byte[] foreign = Pem.certificateRequest(NodeKeys.csr(NodeKeys.generate())).getEncoded();
    byte[] tampered = spliceSignature(der, foreign);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ca.issue(Pem.encode("CERTIFICATE REQUEST", tampered), "n1", Roles.WORKER, DAY, List.of()));
    assertTrue(e.getMessage().startsWith("invalid certificate signing request: "), e.getMessage());
  }

  @Test
  void refusesMalformedOrNonP256Requests() throws Exception {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ca.issue("junk", "n1", Roles.WORKER, DAY, List.of()))
        .getMessage().startsWith("invalid certificate signing request: not a PEM certificate request"));

    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair rsaKeys = rsa.generateKeyPair();
    String rsaCsr = Pem.encode("CERTIFICATE REQUEST", new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), rsaKeys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withRSA").build(rsaKeys.getPrivate())).getEncoded());
    assertEquals("invalid certificate signing request: the key is not EC P-256; generate it with NodeKeys.generate()",
        assertThrows(IllegalArgumentException.class, () -> ca.issue(rsaCsr, "n1", Roles.WORKER, DAY, List.of())).getMessage());
  }

  @Test
  void refusesBadArguments() {
    String csr = NodeKeys.csr(NodeKeys.generate());
    assertThrows(IllegalArgumentException.class, () -> ca.issue(csr, "n1", "orch-root", DAY, List.of()));
    assertThrows(IllegalArgumentException.class, () -> ca.issue(csr, " ", Roles.WORKER, DAY, List.of()));
    assertThrows(IllegalArgumentException.class, () -> ca.issue(csr, "n1", Roles.WORKER, Duration.ZERO, List.of()));
    assertEquals("not an IP address for the certificate: manager.example",
        assertThrows(IllegalArgumentException.class, () -> ca.issue(csr, "n1", Roles.MANAGER, DAY, List.of("manager.example"))).getMessage());
  }

  /** A request whose subject and requested extensions claim a manager identity. */
  private static String csrClaiming(KeyPair keys, String subject, String dnsName) throws Exception {
    Extensions requested = new Extensions(new Extension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)).getEncoded()));
    return Pem.encode("CERTIFICATE REQUEST", new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
        .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, requested)
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
        .getEncoded());
  }

  // Both requests are SEQUENCE { info, algorithm, BIT STRING signature }; keep the first's info and
  // put the second's signature after it.
  private static byte[] spliceSignature(byte[] mine, byte[] theirs) {
    var a = org.bouncycastle.asn1.ASN1Sequence.getInstance(mine);
    var b = org.bouncycastle.asn1.ASN1Sequence.getInstance(theirs);
    try {
      return new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
          a.getObjectAt(0), a.getObjectAt(1), b.getObjectAt(2)}).getEncoded();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertVerifiesWith(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
    } catch (Exception e) {
      throw new AssertionError("not signed by " + issuer.getSubjectX500Principal(), e);
    }
    assertArrayEquals(issuer.getSubjectX500Principal().getEncoded(), cert.getIssuerX500Principal().getEncoded());
  }

  private static int countTrue(boolean[] bits) {
    int n = 0;
    for (boolean bit : bits) {
      n += bit ? 1 : 0;
    }
    return n;
  }
}
