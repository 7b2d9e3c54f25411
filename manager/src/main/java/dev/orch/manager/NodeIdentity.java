package dev.orch.manager;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * What {@code orchd init} decides once and every later start reads: ids and addresses, in
 * {@code DATA_DIR/node.properties}.
 *
 * @param nodeId this node's id
 * @param clusterId the cluster's id (also names the Raft group)
 * @param advertiseHost the address other nodes and orchctl use
 * @param controlPort the gRPC port of the Control and Dispatcher APIs
 * @param raftPort the Raft port (0 on workers)
 * @param manager whether this node runs a manager
 * @param managerAddress host:port of the manager a worker talks to (its own address on a manager)
 */
public record NodeIdentity(String nodeId, String clusterId, String advertiseHost, int controlPort, int raftPort,
    boolean manager, String managerAddress) {
  static final String FILE = "node.properties";

  /** A manager's identity. */
  public NodeIdentity(String nodeId, String clusterId, String advertiseHost, int controlPort, int raftPort) {
    this(nodeId, clusterId, advertiseHost, controlPort, raftPort, true, advertiseHost + ":" + controlPort);
  }

  /** A worker's identity. */
  public static NodeIdentity worker(String nodeId, String clusterId, String advertiseHost, String managerAddress) {
    return new NodeIdentity(nodeId, clusterId, advertiseHost, 0, 0, false, managerAddress);
  }

  public static boolean exists(Path dataDir) {
    return Files.exists(dataDir.resolve(FILE));
  }

  public static NodeIdentity load(Path dataDir) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(dataDir.resolve(FILE))) {
      p.load(r);
    }
    return new NodeIdentity(
        require(p, "node.id"), require(p, "cluster.id"), require(p, "advertise.host"),
        Integer.parseInt(require(p, "control.port")), Integer.parseInt(require(p, "raft.port")),
        Boolean.parseBoolean(require(p, "manager")), require(p, "manager.address"));
  }

  private static String require(Properties p, String key) throws IOException {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IOException(FILE + " has no " + key + "; the data dir is damaged");
    }
    return v;
  }

  /** Writes atomically, so a crash during init never leaves a half-written identity. */
  public void save(Path dataDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("node.id", nodeId);
    p.setProperty("cluster.id", clusterId);
    p.setProperty("advertise.host", advertiseHost);
    p.setProperty("control.port", Integer.toString(controlPort));
    p.setProperty("raft.port", Integer.toString(raftPort));
    p.setProperty("manager", Boolean.toString(manager));
    p.setProperty("manager.address", managerAddress);
    Path tmp = dataDir.resolve(FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      p.store(w, "orch node identity; written by orchd init");
    }
    Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  public String controlAddress() {
    return advertiseHost + ":" + controlPort;
  }
}
