package dev.orch.manager;

import dev.orch.agent.tls.NodeKeys;
import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.Roles;
import dev.orch.manager.ca.RootCa;
import dev.orch.manager.security.CertificateFiles;
import dev.orch.manager.security.ClusterPki;
import dev.orch.manager.security.DataKey;
import dev.orch.proto.Cluster;
import dev.orch.store.raft.RaftStore;
import dev.orch.store.raft.RaftStoreConfig;
import dev.orch.store.state.BackupCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;

/**
 * {@code orchd restore}: makes a new data dir whose manager, a new node, holds the state of a
 * backup, as the only manager of the restored cluster. The cluster keeps its id and root CA (from the backup), so
 * its workers' certificates stay valid; this manager gets a new certificate and a new admin bundle.
 */
public final class ClusterRestore {
  private ClusterRestore() {}

  /** Returns the state hash of the restored store, read back from the new data dir. */
  public static String restore(Path dataDir, Path backupFile, String advertiseHost, int controlPort, int raftPort)
      throws IOException {
    return restore(dataDir, backupFile, null, advertiseHost, controlPort, raftPort);
  }

  /**
   * {@code dataKey} is the cluster's data key (DATA/manager/data.key of one of its managers), which
   * a backup does not hold; it is needed when the backup holds secrets, else a new one is made.
   */
  public static String restore(Path dataDir, Path backupFile, Path dataKey, String advertiseHost, int controlPort,
      int raftPort) throws IOException {
    BackupCodec.Backup backup;
    try (InputStream in = Files.newInputStream(backupFile)) {
      backup = BackupCodec.read(in);
    }
    String clusterId = backup.header().clusterId();
    // A new node: the machine the backup came from may still exist, and its node keeps its own id.
    String nodeId = new Ids(new java.security.SecureRandom()).next();
    Cluster cluster = backup.store().cluster().orElseThrow(() ->
        new IOException(backupFile + " holds no cluster object; it is not a backup of an orch cluster"));
    DataKey key = dataKey != null ? DataKey.read(dataKey) : DataKey.generate();
    var secrets = backup.store().secrets();
    if (dataKey == null && !secrets.isEmpty()) {
      throw new IOException(backupFile + " holds " + secrets.size() + " secret(s), sealed with the cluster's data key,"
          + " which backups never hold: give it with --data-key (DATA/" + DataKey.FILE + " of one of its managers)");
    }
    for (var s : secrets) {
      try {
        key.open(s.getSpec().getData(), s.getMeta().getId());
      } catch (IllegalStateException e) {
        throw new IOException(dataKey + " does not open secret " + s.getSpec().getName() + " of the backup: give the"
            + " data key of the cluster the backup was taken from", e);
      }
    }
    InetSocketAddress raft = new InetSocketAddress(advertiseHost, raftPort);
    Files.createDirectories(dataDir);
    key.save(dataDir);
    try (InputStream in = Files.newInputStream(backupFile)) {
      RaftStore.restore(dataDir.resolve("manager"), in, clusterId, nodeId, raft);
    }
    writeCertificates(dataDir, cluster, nodeId, advertiseHost);
    NodeIdentity id = new NodeIdentity(nodeId, clusterId, advertiseHost, controlPort, raftPort);
    String hash;
    try (RaftStore store = RaftStore.start(new RaftStoreConfig(dataDir.resolve("manager"), clusterId, nodeId, raft,
        List.of(new RaftStoreConfig.Peer(nodeId, raft)), ManagerNode.TUNING))) {
      hash = store.stateHash();
    }
    id.save(dataDir);
    return hash;
  }

  private static void writeCertificates(Path dataDir, Cluster cluster, String nodeId, String host) throws IOException {
    RootCa ca = RootCa.fromPem(cluster.getRootCa().getCertPem(), cluster.getRootCa().getKeyPem());
    CertificateFiles files = new CertificateFiles(dataDir);
    Files.createDirectories(files.dir());
    Pem.writePrivate(files.caKey(), ca.keyPem());
    KeyPair node = NodeKeys.generate();
    var cert = ca.issue(NodeKeys.csr(node), nodeId, Roles.MANAGER, ClusterPki.NODE_CERT_VALIDITY, List.of(host));
    files.saveNode(ca.certPem(), Pem.encode(cert), Pem.encode(node.getPrivate()));
    KeyPair admin = NodeKeys.generate();
    var adminCert = ca.issue(NodeKeys.csr(admin), "admin", Roles.ADMIN, ClusterPki.ADMIN_CERT_VALIDITY, List.of());
    Path bundle = ClusterPki.adminBundle(dataDir);
    Files.createDirectories(bundle);
    Pem.write(bundle.resolve("ca.pem"), ca.certPem());
    Pem.writePrivate(bundle.resolve("key.pem"), Pem.encode(admin.getPrivate()));
    Pem.write(bundle.resolve("cert.pem"), Pem.encode(adminCert));
  }
}
