package dev.orch.manager.security;

import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.TlsContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A node's certificates on disk: {@code DATA/certificates/{ca.pem,node.pem,node.key}}, plus
 * {@code ca.key} on the manager that created the cluster.
 */
public final class CertificateFiles {
  private final Path dir;

  public CertificateFiles(Path dataDir) {
    this.dir = dataDir.resolve("certificates");
  }

  public Path dir() {
    return dir;
  }

  public Path caCert() {
    return dir.resolve("ca.pem");
  }

  public Path caKey() {
    return dir.resolve("ca.key");
  }

  public boolean present() {
    return Files.exists(caCert()) && Files.exists(dir.resolve("node.pem")) && Files.exists(dir.resolve("node.key"));
  }

  public void saveNode(String caPem, String certPem, String keyPem) throws IOException {
    Files.createDirectories(dir);
    Pem.write(caCert(), caPem);
    Pem.writePrivate(dir.resolve("node.key"), keyPem);
    // The certificate last: its presence marks a complete set.
    Pem.write(dir.resolve("node.pem"), certPem);
  }

  /** The node's credentials as loaded from disk. */
  public record Credentials(X509Certificate ca, List<X509Certificate> chain, PrivateKey key) {
    public SslContext server() {
      return TlsContexts.server(key, chain, ca);
    }

    public SslContext client() {
      return TlsContexts.client(ca, key, chain);
    }

    public X509Certificate leaf() {
      return chain.get(0);
    }
  }

  public Credentials load() throws IOException {
    if (!present()) {
      throw new IOException("no node certificate in " + dir + "; the data dir is incomplete: join or init again");
    }
    return new Credentials(
        Pem.certificate(Files.readString(caCert())),
        Pem.certificates(Files.readString(dir.resolve("node.pem"))),
        Pem.privateKey(Files.readString(dir.resolve("node.key"))));
  }
}
