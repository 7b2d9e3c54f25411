package dev.orch.agent.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM text for certificates, private keys and certificate requests, and the files that hold them.
 * Everything crosses the wire and the disk as PEM so that an operator can inspect it with openssl.
 */
public final class Pem {
  public static final String CERTIFICATE = "CERTIFICATE";
  public static final String PRIVATE_KEY = "PRIVATE KEY";
  public static final String CERTIFICATE_REQUEST = "CERTIFICATE REQUEST";

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

  private Pem() {}

  public static String encode(X509Certificate certificate) {
    try {
      return encode(CERTIFICATE, certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode certificate " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
    }
  }

  /** PKCS#8 ("PRIVATE KEY"), the form every JCA key encodes to and openssl reads. */
  public static String encode(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("cannot encode a " + key.getAlgorithm() + " key in format " + key.getFormat() + " as PKCS#8");
    }
    return encode(PRIVATE_KEY, key.getEncoded());
  }

  /** One PEM block of type {@code label} around {@code der}, in 64-character lines as RFC 7468 asks. */
  public static String encode(String label, byte[] der) {
    Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN " + label + "-----\n" + base64.encodeToString(der) + "\n-----END " + label + "-----\n";
  }

  /** The first certificate in {@code pem}: the leaf, when the text holds a chain. */
  public static X509Certificate certificate(String pem) {
    return certificates(pem).get(0);
  }

  /** Every certificate in {@code pem}, in order; at least one, and nothing but certificates. */
  public static List<X509Certificate> certificates(String pem) {
    List<Object> objects = parse(pem, "not a PEM certificate");
    if (objects.isEmpty()) {
      throw new IllegalArgumentException("not a PEM certificate: " + noBlock(pem, CERTIFICATE));
    }
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    List<X509Certificate> certificates = new ArrayList<>(objects.size());
    for (Object o : objects) {
      if (!(o instanceof X509CertificateHolder holder)) {
        throw new IllegalArgumentException("not a PEM certificate: found " + describe(o) + " where a CERTIFICATE was expected");
      }
      try {
        certificates.add(converter.getCertificate(holder));
      } catch (CertificateException e) {
        throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
      }
    }
    return List.copyOf(certificates);
  }

  /** The one unencrypted private key in {@code pem}, PKCS#8 or the traditional "EC PRIVATE KEY". */
  public static PrivateKey privateKey(String pem) {
    List<Object> objects = parse(pem, "not a PEM private key");
    if (objects.size() != 1) {
      throw new IllegalArgumentException("not a PEM private key: "
          + (objects.isEmpty() ? noBlock(pem, PRIVATE_KEY) : "expected one PRIVATE KEY block, found " + objects.size() + " blocks"));
    }
    Object o = objects.get(0);
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        // the traditional form may omit the public key, so only the private part is converted
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PEM private key: " + e.getMessage(), e);
    }
    if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
      throw new IllegalArgumentException("not a PEM private key: the key is encrypted; orch keeps keys unencrypted in files readable only by their owner");
    }
    throw new IllegalArgumentException("not a PEM private key: found " + describe(o) + " where a PRIVATE KEY was expected");
  }

  /** The one PKCS#10 request in {@code pem}; its signature is not checked here. */
  public static PKCS10CertificationRequest certificateRequest(String pem) {
    List<Object> objects = parse(pem, "not a PEM certificate request");
    if (objects.size() != 1 || !(objects.get(0) instanceof PKCS10CertificationRequest request)) {
      throw new IllegalArgumentException("not a PEM certificate request: "
          + (objects.isEmpty() ? noBlock(pem, CERTIFICATE_REQUEST) : "expected one CERTIFICATE REQUEST block, found "
              + objects.stream().map(Pem::describe).toList()));
    }
    return request;
  }

  /** Writes a private key: mode 0600 from the moment the file exists, replaced atomically. */
  public static void writePrivate(Path file, String pem) throws IOException {
    writeAtomically(file, pem, OWNER_ONLY);
  }

  /** Writes a certificate or other public material: mode 0644, replaced atomically. */
  public static void write(Path file, String pem) throws IOException {
    writeAtomically(file, pem, WORLD_READABLE);
  }

  /**
   * A crash mid-write must never leave a node with half a key or a key that does not match its
   * certificate, so the text goes to a temporary file in the same directory, is synced, then moved
   * over the target. The temporary file is created owner-only, so a key is never readable by others
   * even for a moment; the final mode is then set explicitly because the umask may have narrowed it.
   */
  private static void writeAtomically(Path file, String pem, Set<PosixFilePermission> mode) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bytes = ByteBuffer.wrap(pem.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.setPosixFilePermissions(tmp, mode);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static List<Object> parse(String pem, String problem) {
    if (pem == null) {
      throw new IllegalArgumentException(problem + ": no text (null)");
    }
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        objects.add(o);
      }
    } catch (IOException | RuntimeException e) {
      // Bouncy Castle reports bad base64 or DER as unchecked decoder exceptions
      throw new IllegalArgumentException(problem + ": malformed PEM block (" + e.getMessage() + ")", e);
    }
    return objects;
  }

  // Says what the text looked like without echoing it: it may be someone's private key.
  private static String noBlock(String pem, String label) {
    return pem.isBlank()
        ? "the text is empty"
        : "no -----BEGIN " + label + "----- block in " + pem.length() + " characters of text";
  }

  private static String describe(Object o) {
    if (o instanceof X509CertificateHolder) {
      return "a CERTIFICATE";
    }
    if (o instanceof PrivateKeyInfo || o instanceof PEMKeyPair) {
      return "a PRIVATE KEY";
    }
    if (o instanceof PKCS10CertificationRequest) {
      return "a CERTIFICATE REQUEST";
    }
    if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
      return "an ENCRYPTED PRIVATE KEY";
    }
    return "a " + o.getClass().getSimpleName();
  }
}
