package dev.orch.manager;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import dev.orch.manager.ca.JoinToken;
import dev.orch.manager.security.ClusterPki;
import dev.orch.manager.security.NodeJoiner;
import dev.orch.store.raft.RaftStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code orchd}: starts a node. {@code init} makes a new cluster; {@code run} resumes one. */
@Command(name = "orchd", mixinStandardHelpOptions = true, version = "orchd 0.1.0",
    description = "The orch daemon: manager and worker agent of one node.",
    subcommands = {OrchDaemon.Init.class, OrchDaemon.Join.class, OrchDaemon.Run.class, OrchDaemon.Leave.class,
        OrchDaemon.Restore.class})
public final class OrchDaemon {
  static final int DEFAULT_PORT = 4242;

  /** Options both subcommands take. */
  static class Common {
    @Option(names = "--data-dir", required = true, description = "Directory of this node's state.")
    Path dataDir;

    @Option(names = "--metrics-addr", description = "Serve Prometheus metrics at HOST:PORT.")
    String metricsAddr;

    @Option(names = "--stop-grace", defaultValue = "10s",
        description = "Time between SIGTERM and SIGKILL when stopping a container (default ${DEFAULT-VALUE}).")
    String stopGrace;

    @Option(names = "--drain-delay", defaultValue = "2s",
        description = "How long a task on networks keeps running after it is taken out of service VIPs, the"
            + " routing mesh and DNS, before it is stopped, so every node stops sending it connections first"
            + " (0s: stop at once; default ${DEFAULT-VALUE}).")
    String drainDelay;

    @Option(names = "--seed", description = "Seed for ids and scheduling ties (default: random).")
    Long seed;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
        description = "Pull from this registry over plain HTTP instead of HTTPS (repeatable; give the same on every manager).")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--log-max-size", paramLabel = "SIZE", defaultValue = "10m",
        description = "Rotate a container's log when it grows past this (e.g. 512k, 10m, 1g; default ${DEFAULT-VALUE}).")
    String logMaxSize;

    @Option(names = "--log-max-files", paramLabel = "N", defaultValue = "3",
        description = "Log files kept per container, the live one included (default ${DEFAULT-VALUE}).")
    int logMaxFiles;

    @Option(names = "--image-gc-high", paramLabel = "PERCENT", defaultValue = "85",
        description = "Remove images no task uses once the disk of the image store is this full (0-100; 100 never;"
            + " default ${DEFAULT-VALUE}).")
    int imageGcHigh;

    @Option(names = "--image-gc-low", paramLabel = "PERCENT", defaultValue = "80",
        description = "Image removal stops once the disk is at most this full (default ${DEFAULT-VALUE}).")
    int imageGcLow;

    @Option(names = "--image-gc-min-age", paramLabel = "DURATION", defaultValue = "2m",
        description = "Keep an unused image at least this long after its last use (default ${DEFAULT-VALUE}).")
    String imageGcMinAge;

    DaemonOptions options() {
      return new DaemonOptions(dataDir.toAbsolutePath(),
          metricsAddr == null ? null : Addresses.parse(metricsAddr, "--metrics-addr", 9323),
          Duration.ofSeconds(1), Durations.parse(stopGrace, "--stop-grace"),
          ClientConfig.defaultDir(System.getenv()),
          seed != null ? seed : new SecureRandom().nextLong(), insecureRegistries(), logRotation(),
          Durations.parse(drainDelay, "--drain-delay"), imageGc());
    }

    private dev.orch.agent.image.ImageGcPolicy imageGc() {
      if (imageGcHigh < 0 || imageGcHigh > 100 || imageGcLow < 0 || imageGcLow > imageGcHigh) {
        throw new UsageError("invalid image GC thresholds --image-gc-low " + imageGcLow + " --image-gc-high "
            + imageGcHigh + ": give percentages with 0 <= low <= high <= 100 (100 turns collection off)");
      }
      return new dev.orch.agent.image.ImageGcPolicy(imageGcHigh, imageGcLow,
          Durations.parse(imageGcMinAge, "--image-gc-min-age"), dev.orch.agent.image.ImageGcPolicy.DEFAULT.period());
    }

    private DaemonOptions.LogRotation logRotation() {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)([0-9]{1,12})([kmg]?)").matcher(logMaxSize.strip());
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new UsageError("invalid --log-max-size \"" + logMaxSize + "\": give a size above 0 such as 512k, 10m or 1g");
      }
      if (logMaxFiles < 1 || logMaxFiles > 100) {
        throw new UsageError("invalid --log-max-files " + logMaxFiles + ": keep between 1 and 100 files");
      }
      int shift = switch (m.group(2).toLowerCase()) {
        case "k" -> 10;
        case "m" -> 20;
        case "g" -> 30;
        default -> 0;
      };
      return new DaemonOptions.LogRotation(Long.parseLong(m.group(1)) << shift, logMaxFiles);
    }

    private Set<String> insecureRegistries() {
      for (String r : insecureRegistries) {
        if (!r.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
          throw new UsageError("invalid --insecure-registry \"" + r + "\": give the registry as HOST[:PORT], "
              + "as in the image reference (e.g. 10.0.0.5:5000)");
        }
      }
      return Set.copyOf(insecureRegistries);
    }
  }

  @Command(name = "init", description = "Initialise a new cluster with this node as its first manager, and run it.")
  static final class Init extends Common implements Callable<Integer> {
    @Option(names = "--advertise-addr",
        description = "IP[:PORT] other nodes and orchctl reach this node on (default port " + DEFAULT_PORT + ").")
    String advertiseAddr;

    @Option(names = "--force-new-cluster", description = "On a surviving manager of a cluster that lost its quorum:"
        + " keep its state and restart it as a one-manager cluster.")
    boolean forceNewCluster;

    @Option(names = "--raft-port", description = "Raft port (default: the advertised port + 1).")
    Integer raftPort;

    @Option(names = "--default-addr-pool", paramLabel = "CIDR",
        description = "Pool the subnets of overlay networks come from (default 10.0.0.0/8).")
    String defaultAddrPool;

    @Option(names = "--default-addr-pool-mask-length", paramLabel = "N",
        description = "Prefix length of each subnet cut from the pool (default 24).")
    Integer defaultAddrPoolMaskLength;

    @Override
    public Integer call() throws Exception {
      requireRoot();
      if (forceNewCluster) {
        return forceNewCluster();
      }
      if (advertiseAddr == null) {
        throw new UsageError("orchd init needs --advertise-addr IP[:PORT]: the address other nodes reach this node on");
      }
      if (NodeIdentity.exists(dataDir)) {
        NodeIdentity id = NodeIdentity.load(dataDir);
        throw new UsageError(dataDir + " is already initialised as node " + id.nodeId() + " of cluster "
            + id.clusterId() + "; start it with: orchd run --data-dir " + dataDir);
      }
      InetSocketAddress adv = Addresses.parse(advertiseAddr, "--advertise-addr", DEFAULT_PORT);
      AddressPoolOptions pool;
      try {
        pool = AddressPoolOptions.parse(defaultAddrPool, defaultAddrPoolMaskLength);
      } catch (IllegalArgumentException e) {
        throw new UsageError(e.getMessage());
      }
      Files.createDirectories(dataDir);
      pool.save(dataDir);
      SecureRandom r = new SecureRandom();
      NodeIdentity id = new NodeIdentity(new Ids(r).next(), HexFormat.of().formatHex(r.generateSeed(16)),
          adv.getHostString(), adv.getPort(), raftPort != null ? raftPort : adv.getPort() + 1);
      ClusterPki.initialize(dataDir, id.clusterId(), id.nodeId(), id.advertiseHost(), Clock.systemUTC());
      id.save(dataDir);
      return runUntilStopped(id, options());
    }

    Integer forceNewCluster() throws Exception {
      if (!NodeIdentity.exists(dataDir)) {
        throw new UsageError("--force-new-cluster needs the data dir of a surviving manager; " + dataDir
            + " is not initialised");
      }
      NodeIdentity old = NodeIdentity.load(dataDir);
      if (!old.manager()) {
        throw new UsageError(dataDir + " belongs to a worker; --force-new-cluster runs on a surviving manager");
      }
      try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
        RaftStore.forceNewCluster(dataDir.resolve("manager"), old.clusterId(), old.nodeId(),
            new InetSocketAddress(old.advertiseHost(), old.raftPort()));
      }
      // From now on this manager is the cluster's first one again.
      NodeIdentity id = new NodeIdentity(old.nodeId(), old.clusterId(), old.advertiseHost(), old.controlPort(),
          old.raftPort());
      id.save(dataDir);
      System.out.println("orchd: forced a new one-manager cluster from the state of node " + id.nodeId());
      return runUntilStopped(id, options());
    }
  }

  @Command(name = "join", description = "Join an existing cluster with a join token, and run.")
  static final class Join extends Common implements Callable<Integer> {
    @Option(names = "--token", required = true, description = "Join token (orchctl swarm join-token worker).")
    String token;

    @Option(names = "--advertise-addr", required = true,
        description = "IP[:PORT] other nodes reach this node on (the port matters for managers; default "
            + DEFAULT_PORT + ").")
    String advertiseAddr;

    @Option(names = "--raft-port", description = "Raft port if this node joins as a manager (default: port + 1).")
    Integer raftPort;

    @CommandLine.Parameters(index = "0", paramLabel = "MANAGER:PORT", description = "A manager of the cluster.")
    String manager;

    @Override
    public Integer call() throws Exception {
      requireRoot();
      if (NodeIdentity.exists(dataDir)) {
        throw new UsageError(dataDir + " already belongs to a cluster; start it with: orchd run --data-dir "
            + dataDir + " (or use another --data-dir)");
      }
      JoinToken parsed;
      try {
        parsed = JoinToken.parse(token);
      } catch (IllegalArgumentException e) {
        throw new UsageError(e.getMessage());
      }
      InetSocketAddress mgr = Addresses.parse(manager, "MANAGER:PORT", DEFAULT_PORT);
      InetSocketAddress adv = Addresses.parse(advertiseAddr, "--advertise-addr", DEFAULT_PORT);
      String host = adv.getHostString();
      int raft = raftPort != null ? raftPort : adv.getPort() + 1;
      Files.createDirectories(dataDir);
      NodeJoiner.Joined j = NodeJoiner.join(parsed, mgr.getHostString() + ":" + mgr.getPort(), host,
          NodeDescriptions.local().getHostname(), dataDir, adv.getPort(), raft);
      NodeIdentity id = j.manager()
          ? new NodeIdentity(j.nodeId(), j.clusterId(), host, adv.getPort(), raft, true, j.managerAddress())
          : NodeIdentity.worker(j.nodeId(), j.clusterId(), host, j.managerAddress());
      id.save(dataDir);
      System.out.println("orchd: joined cluster " + j.clusterId() + " as " + (j.manager() ? "manager" : "worker")
          + " node " + j.nodeId());
      return runUntilStopped(id, options());
    }
  }

  @Command(name = "run", description = "Run a node whose data dir was initialised before.")
  static final class Run extends Common implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      requireRoot();
      if (!NodeIdentity.exists(dataDir)) {
        throw new UsageError(dataDir + " is not an initialised data dir; create a cluster with: "
            + "orchd init --data-dir " + dataDir + " --advertise-addr IP");
      }
      return runUntilStopped(NodeIdentity.load(dataDir), options());
    }
  }

  @Command(name = "restore", description = "Make a new data dir from a backup (orchctl swarm backup), as the only"
      + " manager of the restored cluster, and run it.")
  static final class Restore extends Common implements Callable<Integer> {
    @Option(names = "--advertise-addr", required = true,
        description = "IP[:PORT] this manager serves on (default port " + DEFAULT_PORT + ").")
    String advertiseAddr;

    @Option(names = "--raft-port", description = "Raft port (default: the advertised port + 1).")
    Integer raftPort;

    @CommandLine.Parameters(index = "0", paramLabel = "BACKUP", description = "The backup file.")
    Path backup;

    @Option(names = "--data-key", paramLabel = "FILE", description = "The cluster's data key (DATA/manager/data.key"
        + " of one of its managers); needed when the backup holds secrets, which it keeps sealed with that key.")
    Path dataKey;

    @Override
    public Integer call() throws Exception {
      requireRoot();
      if (NodeIdentity.exists(dataDir)) {
        throw new UsageError(dataDir + " is already initialised; restore into a new --data-dir");
      }
      if (!Files.isRegularFile(backup)) {
        throw new UsageError("no backup file at " + backup);
      }
      InetSocketAddress adv = Addresses.parse(advertiseAddr, "--advertise-addr", DEFAULT_PORT);
      if (dataKey != null && !Files.isRegularFile(dataKey)) {
        throw new UsageError("no data key file at " + dataKey + "; give DATA/manager/data.key of one of the managers");
      }
      String hash;
      try {
        hash = ClusterRestore.restore(dataDir, backup, dataKey, adv.getHostString(), adv.getPort(),
            raftPort != null ? raftPort : adv.getPort() + 1);
      } catch (java.io.IOException e) {
        if (e.getMessage() != null && e.getMessage().contains("data key")) {
          throw new UsageError(e.getMessage());
        }
        throw e;
      }
      System.out.println("orchd: restored " + backup + " into " + dataDir + "; state " + hash);
      return runUntilStopped(NodeIdentity.load(dataDir), options());
    }
  }

  @Command(name = "leave", description = "Leave the cluster: stop and remove this node's containers and delete its"
      + " data dir. Stop orchd first.")
  static final class Leave implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "Directory of this node's state.")
    Path dataDir;

    @Option(names = {"-f", "--force"}, description = "Leave even if this node is a manager.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      requireRoot();
      if (!NodeIdentity.exists(dataDir)) {
        throw new UsageError(dataDir + " is not the data dir of a node");
      }
      NodeLeaver.leave(dataDir, force, Duration.ofSeconds(10));
      System.out.println("orchd: left the cluster; " + dataDir + " removed");
      return 0;
    }
  }

  static int runUntilStopped(NodeIdentity id, DaemonOptions options) throws IOException, InterruptedException {
    DataDirLock lock = DataDirLock.acquire(options.dataDir());
    RoleAwareNode node = new RoleAwareNode(id, options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
        lock.close();
      } catch (Exception e) {
        System.err.println("orchd: error while stopping: " + e);
      }
      stopped.countDown();
    }, "orchd-shutdown"));
    System.out.println("orchd: node " + id.nodeId() + " running; manager at " + id.managerAddress()
        + "; data in " + options.dataDir());
    node.runRoleChanges();
    stopped.await();
    return 0;
  }

  static void requireRoot() throws IOException {
    String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: -1").split("\\s+")[1];
    if (!"0".equals(uid)) {
      throw new UsageError("orchd must run as root: it creates namespaces, cgroups and mounts for containers");
    }
  }

  /** A refusal to start, reported as one line. */
  static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  public static int run(PrintStream err, String... args) {
    CommandLine cl = new CommandLine(new OrchDaemon());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      err.println("orchd: error: " + e.getMessage());
      return e instanceof UsageError ? 2 : 1;
    });
    return cl.execute(args);
  }

  public static void main(String[] args) {
    int code = run(System.err, args);
    System.exit(code);
  }
}
