package dev.orch.agent.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
  @TempDir Path dir;

  @Test
  void certificateRoundTrips() throws Exception {
    X509Certificate cert = TestCertificates.selfSigned("CN=a");
    String pem = Pem.encode(cert);

    assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"), pem);
    assertTrue(pem.endsWith("-----END CERTIFICATE-----\n"), pem);
    assertTrue(pem.lines().allMatch(line -> line.length() <= 64), "RFC 7468 lines of at most 64 characters");
    assertEquals(cert, Pem.certificate(pem));
  }

  @Test
  void chainRoundTripsInOrder() throws Exception {
    X509Certificate leaf = TestCertificates.selfSigned("CN=leaf");
    X509Certificate root = TestCertificates.selfSigned("CN=root");

    String pem = Pem.encode(leaf) + Pem.encode(root);

    assertEquals(List.of(leaf, root), Pem.certificates(pem));
    assertEquals(leaf, Pem.certificate(pem));
  }

  @Test
  void privateKeyRoundTripsAsPkcs8() {
    PrivateKey key = NodeKeys.generate().getPrivate();
    String pem = Pem.encode(key);

    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8, not the traditional EC form");
    PrivateKey back = Pem.privateKey(pem);
    assertEquals("EC", back.getAlgorithm());
    assertArrayEquals(key.getEncoded(), back.getEncoded());
  }

  @Test
  void readsTraditionalEcPrivateKey() throws Exception {
    // the SEC 1 form ("EC PRIVATE KEY") that openssl ecparam -genkey writes, curve and public key inside
    KeyPair keys = NodeKeys.generate();
    ECPrivateKey key = (ECPrivateKey) keys.getPrivate();
    var curve = PrivateKeyInfo.getInstance(key.getEncoded()).getPrivateKeyAlgorithm().getParameters();
    var publicBits = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData();
    String pem = Pem.encode("EC PRIVATE KEY", new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(), publicBits, curve).getEncoded());

    ECPrivateKey back = (ECPrivateKey) Pem.privateKey(pem);

    assertEquals(key.getS(), back.getS());
    assertEquals(key.getParams().getCurve(), back.getParams().getCurve());
  }

  @Test
  void badCertificateTextSaysWhatWasWrong() throws Exception {
    String keyPem = Pem.encode(NodeKeys.generate().getPrivate());

    assertEquals("not a PEM certificate: the text is empty",
        assertThrows(IllegalArgumentException.class, () -> Pem.certificate("  \n")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Pem.certificate("hello"))
        .getMessage().startsWith("not a PEM certificate: no -----BEGIN CERTIFICATE----- block"));
    String wrongType = assertThrows(IllegalArgumentException.class, () -> Pem.certificates(keyPem)).getMessage();
    assertEquals("not a PEM certificate: found a PRIVATE KEY where a CERTIFICATE was expected", wrongType);
    assertFalse(wrongType.contains(keyPem.lines().skip(1).findFirst().orElseThrow()), "never echoes key material");
    assertTrue(assertThrows(IllegalArgumentException.class,
            () -> Pem.certificate("-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n"))
        .getMessage().startsWith("not a PEM certificate: malformed PEM block"));
    assertThrows(IllegalArgumentException.class, () -> Pem.certificate(null));
  }

  @Test
  void badPrivateKeyTextSaysWhatWasWrong() throws Exception {
    String certPem = Pem.encode(TestCertificates.selfSigned("CN=a"));
    String keyPem = Pem.encode(NodeKeys.generate().getPrivate());

    assertEquals("not a PEM private key: found a CERTIFICATE where a PRIVATE KEY was expected",
        assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(certPem)).getMessage());
    assertEquals("not a PEM private key: expected one PRIVATE KEY block, found 2 blocks",
        assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(keyPem + keyPem)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(""))
        .getMessage().startsWith("not a PEM private key:"));
  }

  @Test
  void certificateRequestIsReadBack() {
    String csr = NodeKeys.csr(NodeKeys.generate());
    assertEquals("CN=orch-node", Pem.certificateRequest(csr).getSubject().toString());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Pem.certificateRequest(Pem.encode(NodeKeys.generate().getPrivate())))
        .getMessage().startsWith("not a PEM certificate request:"));
  }

  @Test
  void privateFilesAreOwnerOnlyAndReplacedAtomically() throws Exception {
    Path file = dir.resolve("node.key");
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    String pem = Pem.encode(NodeKeys.generate().getPrivate());

    Pem.writePrivate(file, pem);

    assertEquals(pem, Files.readString(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void publicFilesAreWorldReadable() throws Exception {
    Path file = dir.resolve("ca.crt");
    String pem = Pem.encode(TestCertificates.selfSigned("CN=ca"));

    Pem.write(file, pem);
    Pem.write(file, pem);

    assertEquals(pem, Files.readString(file));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }
}
