package dev.orch.agent.tls;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * What a node certificate says about its holder. The CA writes the subject itself (CN node id,
 * OU role, O cluster id), so after a verified handshake these fields can be trusted for
 * authorization and for telling certificates of another cluster apart.
 *
 * @param nodeId the subject's CN, or null if it has none
 * @param role the subject's OU (one of {@link Roles} for certificates orch issued), or null
 * @param clusterId the subject's O, or null
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param fingerprint lowercase hex SHA-256 of the certificate's DER encoding
 */
public record CertificateInfo(String nodeId, String role, String clusterId, Instant notBefore, Instant notAfter, String fingerprint) {

  public static CertificateInfo of(X509Certificate certificate) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    byte[] der;
    try {
      der = certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode certificate " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
    }
    return new CertificateInfo(
        first(subject, BCStyle.CN), first(subject, BCStyle.OU), first(subject, BCStyle.O),
        certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(),
        CaDigest.sha256Hex(der));
  }

  /**
   * The verified client certificate of a TLS session, as a server sees it (from
   * {@code call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)}); empty when the connection is
   * not TLS or the peer presented no certificate that the cluster's CA signed.
   */
  public static Optional<CertificateInfo> ofPeer(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(of(leaf)) : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code now} lies within the certificate's validity. */
  public boolean validAt(Instant now) {
    return !now.isBefore(notBefore) && !now.isAfter(notAfter);
  }

  private static String first(X500Name name, ASN1ObjectIdentifier attribute) {
    RDN[] rdns = name.getRDNs(attribute);
    if (rdns.length == 0) {
      return null;
    }
    // the raw string, not the RFC 4514 escaped form: ids are compared, not printed as names
    ASN1Encodable value = rdns[0].getFirst().getValue();
    return value instanceof ASN1String text ? text.getString() : value.toString();
  }
}
