package dev.orch.agent.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The digest a join token pins the root CA by: a joining node fetches the CA certificate over an
 * unauthenticated connection and trusts it only if this digest matches the token's.
 */
public final class CaDigest {
  private CaDigest() {}

  /** Lowercase hex SHA-256 of the certificate's DER encoding (64 characters). */
  public static String of(X509Certificate ca) {
    try {
      return sha256Hex(ca.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode certificate " + ca.getSubjectX500Principal() + ": " + e.getMessage(), e);
    }
  }

  static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      // every Java platform must provide SHA-256
      throw new IllegalStateException(e);
    }
  }
}
