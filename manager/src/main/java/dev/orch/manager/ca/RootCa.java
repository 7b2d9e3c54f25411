package dev.orch.manager.ca;

import dev.orch.agent.tls.CaDigest;
import dev.orch.agent.tls.CertificateInfo;
import dev.orch.agent.tls.NodeKeys;
import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.Roles;
import dev.orch.agent.tls.TlsContexts;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The cluster's root CA: a self-signed EC P-256 certificate and its key, and the one place node
 * certificates are made. A request contributes only its public key (after proving possession of the
 * private key); the node id, role and cluster id come from the caller, who has checked the join
 * token, so no request can name itself a manager.
 */
public final class RootCa {
  static final String CA_COMMON_NAME = "orch-root-ca";
  static final int CA_VALIDITY_YEARS = 20;
  // Managers and workers run on different machines; a certificate that starts "now" by one clock
  // must already be valid by a peer's clock that lags a little.
  static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final String clusterId;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  private RootCa(X509Certificate certificate, PrivateKey key, String clusterId, Clock clock) {
    this.certificate = certificate;
    this.key = key;
    this.clusterId = clusterId;
    this.clock = clock;
  }

  /** A new root CA for cluster {@code clusterId}: CN orch-root-ca, O clusterId, 20 years. */
  public static RootCa create(String clusterId, Clock clock) {
    requireText(clusterId, "cluster id");
    KeyPair keys = NodeKeys.generate();
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, CA_COMMON_NAME).addRDN(BCStyle.O, clusterId).build();
    Instant now = clock.instant();
    Instant notAfter = now.atZone(ZoneOffset.UTC).plusYears(CA_VALIDITY_YEARS).toInstant();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        name, serial(new SecureRandom()), Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter), name, keys.getPublic());
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the root CA certificate", e);
    }
    return new RootCa(sign(builder, keys.getPrivate()), keys.getPrivate(), clusterId, clock);
  }

  /** The CA as {@link #certPem()} and {@link #keyPem()} stored it, on the system clock. */
  public static RootCa fromPem(String certPem, String keyPem) {
    return fromPem(certPem, keyPem, Clock.systemUTC());
  }

  /** The CA as stored, refusing a certificate that is no CA or a key that is not its own. */
  public static RootCa fromPem(String certPem, String keyPem, Clock clock) {
    X509Certificate certificate = Pem.certificate(certPem);
    PrivateKey key = Pem.privateKey(keyPem);
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("not a root CA: certificate " + certificate.getSubjectX500Principal() + " is not a CA certificate");
    }
    if (!keyMatches(key, certificate.getPublicKey())) {
      throw new IllegalArgumentException("not a root CA: the private key does not belong to certificate " + certificate.getSubjectX500Principal());
    }
    String clusterId = CertificateInfo.of(certificate).clusterId();
    if (clusterId == null || clusterId.isBlank()) {
      throw new IllegalArgumentException("not a root CA: certificate " + certificate.getSubjectX500Principal() + " names no cluster (O)");
    }
    return new RootCa(certificate, key, clusterId, Objects.requireNonNull(clock, "clock"));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String certPem() {
    return Pem.encode(certificate);
  }

  /** The CA's private key; it belongs in files only managers can read. */
  public String keyPem() {
    return Pem.encode(key);
  }

  /** The digest join tokens pin this CA by ({@link CaDigest}). */
  public String digest() {
    return CaDigest.of(certificate);
  }

  public String clusterId() {
    return clusterId;
  }

  /**
   * Signs the public key of {@code csrPem} into a certificate for {@code nodeId} in {@code role},
   * valid from a minute ago for {@code validity} (cut at the CA's own expiry). The request's subject
   * and extensions are ignored. Managers get the {@link TlsContexts#MANAGER_AUTHORITY} DNS name so
   * clients can verify them; no other role ever does. Every certificate may serve and be a client.
   *
   * @param ipSans IP addresses (text) to name in the certificate, such as the node's advertise address
   * @throws IllegalArgumentException if the request is malformed, not signed by its key, or not for
   *     an EC P-256 key, or if an argument is out of range
   */
  public X509Certificate issue(String csrPem, String nodeId, String role, Duration validity, List<String> ipSans) {
    requireText(nodeId, "node id");
    if (!Roles.isKnown(role)) {
      throw new IllegalArgumentException("unknown role " + role + "; expected " + Roles.MANAGER + ", " + Roles.WORKER + " or " + Roles.ADMIN);
    }
    if (validity == null || validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("certificate validity must be positive, got " + validity);
    }
    PublicKey publicKey = verifiedKey(csrPem);
    GeneralNames sans = subjectAltNames(role, Objects.requireNonNull(ipSans, "ipSans"));
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    Instant caNotAfter = certificate.getNotAfter().toInstant();
    if (notAfter.isAfter(caNotAfter)) {
      // a certificate cannot outlive the CA that vouches for it
      notAfter = caNotAfter;
    }
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, nodeId).addRDN(BCStyle.OU, role).addRDN(BCStyle.O, clusterId).build();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        certificate, serial(random), Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter), subject, publicKey);
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
      builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
      if (sans.getNames().length > 0) {
        builder.addExtension(Extension.subjectAlternativeName, false, sans);
      }
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the certificate for node " + nodeId, e);
    }
    return sign(builder, key);
  }

  private static PublicKey verifiedKey(String csrPem) {
    PKCS10CertificationRequest csr;
    try {
      csr = Pem.certificateRequest(csrPem);
    } catch (IllegalArgumentException e) {
      throw invalidCsr(e.getMessage(), e);
    }
    AlgorithmIdentifier algorithm = csr.getSubjectPublicKeyInfo().getAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())
        || !SECObjectIdentifiers.secp256r1.equals(algorithm.getParameters())) {
      throw invalidCsr("the key is not EC P-256; generate it with NodeKeys.generate()", null);
    }
    try {
      PublicKey publicKey = new JcaPKCS10CertificationRequest(csr).getPublicKey();
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
        throw invalidCsr("its signature does not verify with the key it carries", null);
      }
      return publicKey;
    } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
      throw invalidCsr(e.getMessage(), e);
    }
  }

  private static IllegalArgumentException invalidCsr(String problem, Exception cause) {
    return new IllegalArgumentException("invalid certificate signing request: " + problem, cause);
  }

  private static GeneralNames subjectAltNames(String role, List<String> ipSans) {
    List<GeneralName> names = new ArrayList<>();
    if (Roles.MANAGER.equals(role)) {
      names.add(new GeneralName(GeneralName.dNSName, TlsContexts.MANAGER_AUTHORITY));
    }
    for (String ip : ipSans) {
      try {
        names.add(new GeneralName(GeneralName.iPAddress, ip));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException("not an IP address for the certificate: " + ip, e);
      }
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate with the root CA key", e);
    }
  }

  // Positive, so the DER integer never needs a sign fix, and random, so serials never collide
  // across managers that issue concurrently.
  private static BigInteger serial(SecureRandom random) {
    BigInteger serial;
    do {
      serial = new BigInteger(128, random);
    } while (serial.signum() == 0);
    return serial;
  }

  private static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
    try {
      byte[] probe = "orch root ca key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the " + what + " must not be empty");
    }
  }
}
