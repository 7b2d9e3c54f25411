package dev.orch.manager;

import dev.orch.agent.image.BlobStore;
import dev.orch.manager.control.BackupStreamer;
import dev.orch.manager.control.ControlService;
import dev.orch.manager.control.ImageImporter;
import dev.orch.manager.dispatcher.DispatcherService;
import dev.orch.manager.dispatcher.HeartbeatPeriod;
import dev.orch.manager.dispatcher.NodeHealthMonitor;
import dev.orch.manager.dispatcher.NodeSessions;
import dev.orch.manager.metrics.MetricsServer;
import dev.orch.manager.metrics.TaskStateGauges;
import dev.orch.manager.orchestrator.LeaderControllers;
import dev.orch.manager.security.AuthorizationInterceptor;
import dev.orch.manager.security.CertificateFiles;
import dev.orch.manager.security.DataKey;
import dev.orch.manager.security.ClusterPki;
import dev.orch.manager.security.NodeCaService;
import dev.orch.store.raft.RaftStore;
import dev.orch.store.raft.RaftStoreConfig;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running orchd: the manager (store, Control and Dispatcher APIs, leader controllers) and the
 * worker agent of the same node, which talks to the dispatcher over gRPC like any other worker.
 * Closing it stops orchd but leaves containers running; the next start re-attaches to them.
 */
public final class ManagerNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagerNode.class);

  /**
   * Election timeouts of 0.3-0.6 s (Ratis sends heartbeats every half minimum, 150 ms): a dead
   * leader is noticed within 0.6 s. Below 300 ms, leadership churned on a busy core or a GC pause
   * (pre-vote keeps a follower that merely missed heartbeats from disrupting a live leader).
   */
  static final RaftStoreConfig.Tuning TUNING = new RaftStoreConfig.Tuning(
      java.time.Duration.ofMillis(300), java.time.Duration.ofMillis(600), java.time.Duration.ofSeconds(10),
      10_000, 8L << 20, java.time.Duration.ofSeconds(3));

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final NodeIdentity identity;
  private final RaftStore store;

  private final boolean joining;
  private WorkerNode worker;
  private final java.util.concurrent.atomic.AtomicBoolean joinRefused = new java.util.concurrent.atomic.AtomicBoolean();

  /** Completes when the cluster demotes this node. */
  public java.util.concurrent.CompletableFuture<dev.orch.proto.NodeRole> roleChange() {
    return worker.roleChange();
  }

  private ManagerNode(NodeIdentity identity, RaftStore store, boolean joining) {
    this.joining = joining;
    this.identity = identity;
    this.store = store;
  }

  public NodeIdentity identity() {
    return identity;
  }

  public RaftStore store() {
    return store;
  }

  public static ManagerNode start(NodeIdentity id, DaemonOptions options) throws IOException {
    Path data = options.dataDir();
    Clock clock = Clock.systemUTC();
    Random random = new Random(options.seed());
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InetSocketAddress raft = new InetSocketAddress(id.advertiseHost(), id.raftPort());
    boolean hasLog = Files.isDirectory(data.resolve("manager/raft"));
    // The first manager bootstraps the group; a manager that joined starts empty and is added by the
    // leader; a restart resumes the group its log records.
    boolean joining = !hasLog && !id.managerAddress().equals(id.controlAddress());
    RaftStoreConfig config = (joining
        ? RaftStoreConfig.joining(data.resolve("manager"), id.clusterId(), id.nodeId(), raft)
        : new RaftStoreConfig(data.resolve("manager"), id.clusterId(), id.nodeId(), raft,
            List.of(new RaftStoreConfig.Peer(id.nodeId(), raft)), TUNING)).withTuning(TUNING);
    RaftStore store = RaftStore.start(config);
    ManagerNode node = new ManagerNode(id, store, joining);
    try {
      node.resources.add(store);
      node.wire(options, clock, random, metrics);
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  /**
   * The first manager of a cluster makes the data key; a manager that joined gets it with its
   * join (RaftJoin) and finds it in its data dir from then on.
   */
  private void installDataKey(Path data) throws IOException {
    var key = DataKey.load(data);
    if (key.isEmpty() && !joining && identity.managerAddress().equals(identity.controlAddress())) {
      DataKey made = DataKey.generate();
      made.save(data);
      key = java.util.Optional.of(made);
    }
    key.ifPresent(dev.orch.manager.control.SecretSealing::install);
  }

  private void wire(DaemonOptions options, Clock clock, Random random, PrometheusMeterRegistry metrics)
      throws IOException {
    Path data = options.dataDir();
    CertificateFiles.Credentials credentials = new CertificateFiles(data).load();
    installDataKey(data);
    StoreWriter writer = new StoreWriter(store, clock, metrics);
    Ids ids = new Ids(new Random(random.nextLong()));
    BlobStore managerBlobs = new BlobStore(data.resolve("manager/blobs"));
    ClusterManagers managers = new ClusterManagers(store, identity);
    resources.add(managers);
    PeerChannels peers = new PeerChannels(credentials);
    resources.add(peers);
    PeerBlobs blobs = new PeerBlobs(managerBlobs, managers, peers);

    LeaderControllers controllers = new LeaderControllers(writer, clock, new Random(random.nextLong()), metrics);
    resources.add(controllers);
    ExecutorService leadership = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "leadership");
      t.setDaemon(true);
      return t;
    });
    resources.add(leadership::shutdownNow);
    ClusterBootstrap bootstrap = new ClusterBootstrap(writer, identity, new CertificateFiles(data),
        new Random(random.nextLong()), options.heartbeatPeriod().toMillis(), AddressPoolOptions.load(data));
    StartupHandover handover = new StartupHandover(store);
    // Leadership callbacks arrive on Raft's threads; committing from them would wait on Raft itself.
    store.addLeadershipListener(leader -> {
      handover.onLeadership(leader);
      if (leadership.isShutdown()) {
        return; // orchd is stopping; the controllers are being closed anyway
      }
      leadership.execute(() -> {
        if (leader) {
          bootstrap.ensure();
        }
        controllers.onLeadership(leader);
      });
    });
    if (store.isLeader()) {
      handover.onLeadership(true);
      leadership.execute(() -> {
        bootstrap.ensure();
        controllers.onLeadership(true);
      });
    }

    if (joining) {
      RaftJoin.start(identity, credentials, resources, joinRefused, data);
    }
    awaitClusterObject();
    long defaultPeriod = options.heartbeatPeriod().toMillis();
    HeartbeatPeriod period = new HeartbeatPeriod(store, defaultPeriod);
    resources.add(period);
    NodeSessions sessions = new NodeSessions(period);
    DispatcherService dispatcher = new DispatcherService(writer, clock, ids, blobs::open, sessions,
        managers::addresses, managers::leaderAddress, metrics);
    resources.add(dispatcher);
    resources.add(new NodeHealthMonitor(writer, sessions, clock));
    Files.createDirectories(data.resolve("tmp"));
    ControlService control = new ControlService(writer, ids, new Random(random.nextLong()),
        new ImageImporter(managerBlobs, data.resolve("tmp")), identity.nodeId(), managers::addresses);
    control.setInsecureRegistries(options.insecureRegistries());
    control.enableMemberRemoval(store::removeMember);
    control.enableNodeRequests(dispatcher.nodeRequests(), managers::leaderAddress, peers);
    control.enableRaftView(new ControlService.RaftView() {
      @Override
      public java.util.Optional<String> leaderId() {
        return store.leaderId();
      }

      @Override
      public java.util.Set<String> reachableMembers() {
        return store.reachableMembers();
      }
    });
    control.enableBackups(new BackupStreamer.Source() {
      @Override
      public void backup(java.io.OutputStream out) throws IOException {
        store.backup(out);
      }

      @Override
      public String stateHash(java.io.InputStream backup) throws IOException {
        return RaftStore.stateHash(backup);
      }
    }, data.resolve("tmp"));
    NodeCaService ca = new NodeCaService(writer, store, ids, ClusterPki.NODE_CERT_VALIDITY, managers::addresses);
    ErrorMappingInterceptor errors = new ErrorMappingInterceptor();
    // The last interceptor runs first: authorization before anything else sees the call.
    AuthorizationInterceptor authz = new AuthorizationInterceptor(identity.clusterId());
    Server server = NettyServerBuilder
        .forAddress(new InetSocketAddress(identity.advertiseHost(), identity.controlPort()))
        .sslContext(credentials.server())
        .addService(ServerInterceptors.intercept(control, errors, authz))
        .addService(ServerInterceptors.intercept(dispatcher, errors, authz))
        .addService(ServerInterceptors.intercept(ca, errors, authz))
        .maxInboundMessageSize(8 << 20)
        .build();
    server.start();
    handover.serving();
    resources.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    TaskStateGauges.register(store, metrics);
    if (options.metricsAddress() != null) {
      MetricsServer ms = new MetricsServer(options.metricsAddress(), metrics);
      resources.add(ms);
      LOG.info("metrics at http://{}:{}/metrics", options.metricsAddress().getHostString(), ms.port());
    }
    worker = WorkerNode.startAgent(identity, options, credentials, clock, random);
    resources.add(worker);
    if (options.clientConfigDir() != null && Files.exists(ClusterPki.adminBundle(data))) {
      ClientConfig.write(options.clientConfigDir(), identity.controlAddress(), ClusterPki.adminBundle(data));
    }
    LOG.info("orchd node {} of cluster {} serving on {}", identity.nodeId(), identity.clusterId(),
        identity.controlAddress());
  }

  /**
   * Serving before the cluster object exists would only answer "still starting": the first manager
   * waits for its bootstrap, a joining one for the state to reach it.
   */
  /**
   * Waits for the cluster state to reach this manager. A joining manager whose join is refused
   * stops waiting: if it was demoted again before it joined, its agent must start to learn that
   * and restart it as a worker.
   */
  private void awaitClusterObject() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(joining ? 60 : 15);
    while (store.read(v -> v.cluster().isEmpty()) && !joinRefused.get() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20); // start-up wait for the first commit; bounded by the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (store.read(v -> v.cluster().isEmpty())) {
      LOG.warn("the cluster state has not reached this manager yet; serving anyway, calls may be refused for now");
    }
  }

  /** Stops orchd's own threads and servers; containers keep running. */
  @Override
  public void close() {
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    Collections.reverse(reversed);
    for (AutoCloseable r : reversed) {
      try {
        r.close();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", r, e.toString());
      }
    }
    resources.clear();
  }
}
