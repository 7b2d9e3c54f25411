package dev.orch.bench;

import dev.orch.bench.sim.SimulatedNodes;
import dev.orch.manager.Actions;
import dev.orch.manager.DaemonOptions;
import dev.orch.manager.ManagerNode;
import dev.orch.manager.NodeIdentity;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.security.AdminChannels;
import dev.orch.manager.security.ClusterPki;
import dev.orch.proto.ActionType;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.GetJoinTokensRequest;
import dev.orch.proto.Image;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeResponse;
import dev.orch.proto.NodeState;
import dev.orch.proto.Placement;
import dev.orch.proto.PlacementPreference;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateNodeRequest;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * End-to-end scale benchmark: a real manager (Raft store on disk, controllers, dispatcher) in this
 * JVM, and {@code --nodes} SIMULATED workers in a second JVM speaking the real Dispatcher protocol.
 * Creates {@code --services} services of {@code --replicas} each (constraint {@code
 * node.role==worker}, spread over {@code node.labels.zone}) through the Control API and measures
 * the time until every task is RUNNING, and the manager's heap per task once they are.
 *
 * <p>The simulated nodes join with the worker token and get their labels through {@code UpdateNode},
 * as real ones would. One bench-side shortcut, never a product path: a placeholder image is written
 * straight into the store, as if it had been imported.
 */
@Command(name = "orch-bench-scale", mixinStandardHelpOptions = true,
    description = "100,000 tasks on 1,000 simulated nodes through the real manager.")
public final class ScaleBench implements Callable<Integer> {
  private static final String IMAGE = "sim:latest";
  private static final String IMAGE_DIGEST = "sha256:" + "5".repeat(64);

  @Option(names = "--nodes", defaultValue = "1000") int nodes;
  @Option(names = "--services", defaultValue = "10") int services;
  @Option(names = "--replicas", defaultValue = "10000", description = "Replicas per service.") int replicas;
  @Option(names = "--zones", defaultValue = "5") int zones;
  @Option(names = "--timeout", defaultValue = "300", description = "Give up after this many seconds.") int timeout;
  @Option(names = "--fleet-heap", defaultValue = "2g", description = "-Xmx of the simulated fleet's JVM.")
  String fleetHeap;
  @Option(names = "--heartbeat", defaultValue = "1",
      description = "Heartbeat period the manager sets, in seconds (a node is DOWN after 3 missed).")
  int heartbeatSeconds;
  @Option(names = "--join-timeout", defaultValue = "1800",
      description = "Give up if the nodes have not all joined after this many seconds.")
  int joinTimeout;
  @Option(names = "--subnet-size", defaultValue = "16", description = "Prefix length of overlay subnets, as"
      + " orchd init --default-addr-pool-mask-length sets it: every node holds an address on ingress, so a /24"
      + " (the default of orchd init) serves at most 253 nodes.")
  int subnetSize;
  @Option(names = "--join-parallelism", defaultValue = "16",
      description = "Simulated nodes joining at once (setup only, not measured).")
  int joinParallelism;
  @Option(names = "--class-histogram", description = "Print the manager's largest classes after the run (jcmd).")
  boolean classHistogram;
  @Option(names = "--settle", defaultValue = "0",
      description = "Also measure the heap this many seconds after the run, once transient caches expire.")
  int settleSeconds;

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("orch-bench-scale");
    int port = freePort();
    NodeIdentity id = new NodeIdentity("bench" + port, "bench" + port, "127.0.0.1", port, freePort());
    ClusterPki.initialize(dir, id.clusterId(), id.nodeId(), id.advertiseHost(), Clock.systemUTC());
    id.save(dir);
    dev.orch.manager.AddressPoolOptions.parse(null, subnetSize).save(dir);
    Process fleet = null;
    try (ManagerNode node = ManagerNode.start(id, new DaemonOptions(dir, null, Duration.ofSeconds(heartbeatSeconds),
        Duration.ofSeconds(2), null, 1))) {
      Store store = node.store();
      awaitLeader(store);
      ManagedChannel admin = AdminChannels.open(ClusterPki.adminBundle(dir), id.controlAddress());
      try {
        registerImage(store);
        String token = ControlGrpc.newBlockingStub(admin).withDeadlineAfter(30, TimeUnit.SECONDS)
            .getJoinTokens(GetJoinTokensRequest.getDefaultInstance()).getWorker();
        fleet = startFleet(id.controlAddress(), token);
        long readyMs = awaitReadyNodes(store);
        System.out.printf(Locale.ROOT, "%d simulated nodes joined and READY in %.1f s%n", nodes, readyMs / 1e3);
        labelZones(admin, store);
        long baseline = heapAfterGc();
        // The full collections above pause the manager (seconds at 10,000 nodes), long enough for
        // heartbeats to miss their deadline. Let any node that missed be marked DOWN (three periods
        // at most), then wait until every session is back before measuring.
        Thread.sleep(TimeUnit.SECONDS.toMillis(3L * heartbeatSeconds)); // see above: a deadline, not a hope
        long backMs = awaitReadyNodes(store);
        if (backMs > 1000) {
          System.out.printf(Locale.ROOT, "all nodes READY again %.1f s after the baseline heap was taken%n",
              backMs / 1e3);
        }
        int tasks = services * replicas;
        Timings t = createAndWait(admin, store, tasks);
        long heap = heapAfterGc();
        report(tasks, t, baseline, heap);
        if (settleSeconds > 0) {
          Thread.sleep(settleSeconds * 1000L); // idle on purpose: what stays once the burst is over
          long settled = heapAfterGc();
          System.out.printf(Locale.ROOT, "manager heap per task, %d s later  %d bytes (%d MiB)%n", settleSeconds,
              (settled - baseline) / tasks, settled >> 20);
        }
        if (classHistogram) {
          printClassHistogram();
        }
        return t.runningNanos() < 0 ? 1 : 0;
      } finally {
        admin.shutdownNow();
        // The fleet goes first, so that its workers do not see the manager stop under them.
        stop(fleet);
      }
    } finally {
      stop(fleet);
      deleteQuietly(dir);
    }
  }

  private static void stop(Process fleet) throws InterruptedException {
    if (fleet != null && fleet.isAlive()) {
      fleet.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private record Timings(long assignedNanos, long runningNanos) {}

  /** The one bench-side write: a placeholder image, as if imported; simulated nodes never pull it. */
  private static void registerImage(Store store) {
    StoreWriter writer = new StoreWriter(store, Clock.systemUTC(), new SimpleMeterRegistry());
    check(writer.submit(List.of(Actions.upsert(Image.newBuilder()
        .setMeta(Meta.newBuilder().setId(IMAGE_DIGEST)).addReferences(IMAGE).build()))).getOk(), "image");
  }

  private Process startFleet(String manager, String token) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx" + fleetHeap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), "dev.orch.bench.sim.SimulatedFleet",
        "--manager", manager, "--token", token, "--nodes", Integer.toString(nodes),
        "--join-parallelism", Integer.toString(joinParallelism))
        .inheritIO()
        .start();
  }

  /**
   * {@code node update --label-add zone=zK} on every simulated node, through the Control API, at
   * most {@link #LABELS_IN_FLIGHT} at a time: 10,000 at once held as many blocked server threads
   * and starved the manager's heartbeat answers past their 10 s deadline, so that every node's
   * session broke and reconnected.
   */
  private void labelZones(ManagedChannel admin, Store store) throws InterruptedException {
    List<Node> sims = store.read(v -> v.nodes().stream().filter(ScaleBench::simulated).toList());
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(LABELS_IN_FLIGHT);
    List<com.google.common.util.concurrent.ListenableFuture<NodeResponse>> updates = new ArrayList<>();
    for (Node n : sims) {
      int i = Integer.parseInt(n.getDescription().getHostname().substring(SimulatedNodes.HOSTNAME_PREFIX.length()));
      inFlight.acquire();
      var update = ControlGrpc.newFutureStub(admin).withDeadlineAfter(60, TimeUnit.SECONDS).updateNode(
          UpdateNodeRequest.newBuilder().setNode(n.getMeta().getId())
              .setSpec(n.getSpec().toBuilder().putLabels("zone", "z" + (i % zones))).build());
      update.addListener(inFlight::release, Runnable::run);
      updates.add(update);
    }
    for (var u : updates) {
      try {
        u.get();
      } catch (Exception e) {
        throw new IllegalStateException("labelling a simulated node failed: " + e.getMessage(), e);
      }
    }
  }

  private static final int LABELS_IN_FLIGHT = 64;

  private static boolean simulated(Node n) {
    return n.getDescription().getHostname().startsWith(SimulatedNodes.HOSTNAME_PREFIX);
  }

  private Timings createAndWait(ManagedChannel ch, Store store, int tasks) throws Exception {
    TaskProgress progress = new TaskProgress();
    try (AutoCloseable watch = store.watch(progress::observe)) {
      long start = System.nanoTime();
      for (int s = 0; s < services; s++) {
        createService(ch, "scale" + s);
      }
      long assigned = -1;
      long deadline = start + TimeUnit.SECONDS.toNanos(timeout);
      long lastPrint = start;
      while (System.nanoTime() < deadline) {
        long now = System.nanoTime();
        if (assigned < 0 && progress.placed() >= tasks) {
          assigned = now - start;
        }
        if (progress.running() >= tasks) {
          return new Timings(assigned, now - start);
        }
        if (now - lastPrint > TimeUnit.SECONDS.toNanos(5)) {
          System.out.printf(Locale.ROOT, "  %.0f s: %d placed, %d running%n", (now - start) / 1e9,
              progress.placed(), progress.running());
          lastPrint = now;
        }
        Thread.sleep(20); // polling interval of the measurement; the counting happens in the watch
      }
      System.out.println("timed out after " + timeout + " s");
      return new Timings(assigned, -1);
    } finally {
      progress.forget(); // before the heap is measured: these sets are the bench's, not the manager's
    }
  }

  /**
   * Creates a service as a user would with {@code orchctl service create}, and again when the
   * manager answers that the write was not committed in time (while it writes the tasks of the
   * services before, which are megabytes each): the write may have committed after all, so a
   * name already taken on a retry counts as created.
   */
  private void createService(ManagedChannel ch, String name) throws InterruptedException {
    CreateServiceRequest request = CreateServiceRequest.newBuilder().setSpec(ServiceSpec.newBuilder()
        .setName(name).setReplicas(replicas)
        .setContainer(ContainerSpec.newBuilder().setImage(IMAGE))
        .setPlacement(Placement.newBuilder().addConstraints("node.role==worker")
            .addPreferences(PlacementPreference.newBuilder().setSpread("node.labels.zone"))))
        .build();
    for (int attempt = 1; ; attempt++) {
      try {
        ControlGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).createService(request);
        return;
      } catch (io.grpc.StatusRuntimeException e) {
        io.grpc.Status.Code code = e.getStatus().getCode();
        if (attempt > 1 && code == io.grpc.Status.Code.ALREADY_EXISTS) {
          return; // the attempt that timed out committed after all
        }
        if (attempt == 10 || code != io.grpc.Status.Code.UNAVAILABLE && code != io.grpc.Status.Code.DEADLINE_EXCEEDED) {
          throw e;
        }
        System.out.printf(Locale.ROOT, "  creating %s: %s; trying again%n", name, e.getStatus().getDescription());
        Thread.sleep(1_000L * attempt); // retry backoff, not a wait for a condition
      }
    }
  }

  /**
   * Counts tasks placed and RUNNING from the store's watch events, so that measuring does not read
   * every task under the store's lock, which would slow the manager being measured.
   */
  private static final class TaskProgress {
    private final Set<String> placed = ConcurrentHashMap.newKeySet();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    void observe(List<WatchEvent> events) {
      for (WatchEvent e : events) {
        if (!e.getObject().hasTask() || e.getType() == ActionType.DELETE) {
          continue;
        }
        Task t = e.getObject().getTask();
        int state = t.getStatus().getStateValue();
        if (t.getDesiredState() == TaskState.RUNNING && state >= TaskState.ASSIGNED_VALUE
            && state <= TaskState.RUNNING_VALUE) {
          placed.add(t.getMeta().getId());
          if (state == TaskState.RUNNING_VALUE) {
            running.add(t.getMeta().getId());
          }
        }
      }
    }

    long placed() {
      return placed.size();
    }

    long running() {
      return running.size();
    }

    void forget() {
      placed.clear();
      running.clear();
    }
  }

  private void report(int tasks, Timings t, long baseline, long heap) {
    System.out.printf(Locale.ROOT, "%n%d tasks (%d services x %d) on %d simulated nodes%n", tasks, services,
        replicas, nodes);
    if (t.assignedNanos() > 0) {
      System.out.printf(Locale.ROOT, "all placed (ASSIGNED) after      %.1f s%n", t.assignedNanos() / 1e9);
    }
    if (t.runningNanos() > 0) {
      double s = t.runningNanos() / 1e9;
      System.out.printf(Locale.ROOT, "all RUNNING after                %.1f s%n", s);
      System.out.printf(Locale.ROOT, "placements/s to RUNNING          %.0f%n", tasks / s);
    }
    System.out.printf(Locale.ROOT, "manager heap after GC            %d MiB (before the services: %d MiB)%n",
        heap >> 20, baseline >> 20);
    System.out.printf(Locale.ROOT, "manager heap per task            %d bytes%n", (heap - baseline) / tasks);
  }

  /**
   * Waits until every simulated node is READY, counting from the store's watch events: reading
   * every node every 100 ms cost the manager being measured a few per cent of its CPU at 10,000.
   */
  private long awaitReadyNodes(Store store) throws Exception {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(joinTimeout);
    Set<String> ready = ConcurrentHashMap.newKeySet();
    java.util.function.Consumer<Node> record = n -> {
      if (simulated(n) && n.getStatus().getState() == NodeState.NODE_READY) {
        ready.add(n.getMeta().getId());
      } else {
        ready.remove(n.getMeta().getId());
      }
    };
    try (AutoCloseable watch = store.watch(events -> events.stream()
        .filter(e -> e.getObject().hasNode() && e.getType() != ActionType.DELETE)
        .forEach(e -> record.accept(e.getObject().getNode())))) {
      store.read(v -> {
        v.nodes().forEach(record);
        return null;
      });
      long lastPrint = start;
      while (System.nanoTime() < deadline) {
        if (ready.size() >= nodes) {
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
        if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(30)) {
          lastPrint = System.nanoTime();
          System.out.printf(Locale.ROOT, "  %.0f s: %d nodes READY%n", (lastPrint - start) / 1e9, ready.size());
        }
        Thread.sleep(100); // polling interval of the bench's own counter, which the watch keeps
      }
    }
    String states = store.read(v -> v.nodes().stream().filter(ScaleBench::simulated)
        .collect(java.util.stream.Collectors.groupingBy(n -> n.getStatus().getState(),
            java.util.stream.Collectors.counting())).toString());
    throw new IllegalStateException("simulated nodes did not all become READY within " + joinTimeout + " s: " + states);
  }

  private static void awaitLeader(Store store) throws InterruptedException {
    for (int i = 0; i < 300 && !(store.isLeader() && store.read(v -> v.cluster().isPresent())); i++) {
      Thread.sleep(100); // polling interval
    }
    check(store.isLeader(), "leadership");
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200); // let the collector finish its concurrent phases
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Where the heap goes, to find what a task costs: the largest classes by bytes. */
  private static void printClassHistogram() throws IOException, InterruptedException {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(ProcessHandle.current().pid()), "GC.class_histogram").redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    jcmd.waitFor();
    System.out.println();
    out.lines().limit(28).forEach(System.out::println);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("bench setup failed: " + what);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ScaleBench()).execute(args));
  }
}
