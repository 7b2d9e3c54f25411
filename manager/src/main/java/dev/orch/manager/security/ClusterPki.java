package dev.orch.manager.security;

import dev.orch.agent.tls.NodeKeys;
import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.Roles;
import dev.orch.manager.ca.RootCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * What {@code orchd init} creates once: the cluster's root CA, the first manager's certificate and
 * the admin client bundle that orchctl uses.
 */
public final class ClusterPki {
  public static final Duration NODE_CERT_VALIDITY = Duration.ofDays(90);
  public static final Duration ADMIN_CERT_VALIDITY = Duration.ofDays(365);

  private ClusterPki() {}

  public static void initialize(Path dataDir, String clusterId, String nodeId, String advertiseHost, Clock clock)
      throws IOException {
    RootCa ca = RootCa.create(clusterId, clock);
    CertificateFiles files = new CertificateFiles(dataDir);
    Files.createDirectories(files.dir());
    Pem.writePrivate(files.caKey(), ca.keyPem());
    KeyPair node = NodeKeys.generate();
    var cert = ca.issue(NodeKeys.csr(node), nodeId, Roles.MANAGER, NODE_CERT_VALIDITY, List.of(advertiseHost));
    files.saveNode(ca.certPem(), Pem.encode(cert), Pem.encode(node.getPrivate()));
    KeyPair admin = NodeKeys.generate();
    var adminCert = ca.issue(NodeKeys.csr(admin), "admin", Roles.ADMIN, ADMIN_CERT_VALIDITY, List.of());
    Path bundle = adminBundle(dataDir);
    Files.createDirectories(bundle);
    Pem.write(bundle.resolve("ca.pem"), ca.certPem());
    Pem.writePrivate(bundle.resolve("key.pem"), Pem.encode(admin.getPrivate()));
    Pem.write(bundle.resolve("cert.pem"), Pem.encode(adminCert));
  }

  /** {@code DATA/admin}: the admin client bundle (ca.pem, cert.pem, key.pem). */
  public static Path adminBundle(Path dataDir) {
    return dataDir.resolve("admin");
  }
}
