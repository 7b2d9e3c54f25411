package dev.orch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.manager.security.AdminChannels;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.GetClusterRequest;
import dev.orch.proto.ListNodesRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeState;
import dev.orch.proto.RemoveServiceRequest;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateNodeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Node faults on the test bed, orch beside Docker Swarm: one test bed per cluster, each of 4
 * network-namespace nodes (node 1 the drained manager, nodes 2..4 workers), set up by
 * {@code deploy/bin/orch-bench-vs-swarm-nodes}, which runs this inside node 1 of orch's bed. Each
 * repetition makes, for each kind of fault and each cluster in turn (the first one rotating), a
 * service of {@code --replicas} replicas spread on the workers, then the fault on one worker (a
 * crash: {@code kill -9} of its daemons and containers; or a cut link), and times it until every
 * replica runs on the other workers; then the node is restarted or healed, the service removed,
 * and the cluster waited for until it is whole again.
 */
@Command(name = "orch-bench-vs-swarm-nodes", mixinStandardHelpOptions = true,
    description = "Worker crash and cut link on 4-node test beds, orch and Docker Swarm in turn.")
public final class SwarmNodesBench implements Callable<Integer> {
  @Option(names = "--reps", defaultValue = "5", description = "faults of each kind per cluster") int reps;
  @Option(names = "--replicas", defaultValue = "9") int replicas;
  @Option(names = "--workers", defaultValue = "3", description = "test-bed nodes 2..workers+1") int workers;
  @Option(names = "--timeout-s", defaultValue = "300", description = "give up on one wait after this") long timeoutS;
  @Option(names = "--svg", description = "also write the medians as an SVG bar chart") Path svg;
  @Option(names = "--testbed", required = true) Path testbed;
  @Option(names = "--testbed-root", required = true) Path testbedRoot;
  @Option(names = "--orch-bed", required = true) String orchBed;
  @Option(names = "--orchd", required = true) Path orchd;
  @Option(names = "--manager", required = true) String manager;
  @Option(names = "--admin-bundle", required = true) Path bundle;
  @Option(names = "--swarm-bed", required = true, description = "BED=HEARTBEAT, once per Swarm (e.g. vsns1=5s)")
  List<String> swarmBeds;
  @Option(names = "--docker", required = true) String docker;
  @Option(names = "--docker-image", required = true, description = "the busybox rootfs, loaded on every Swarm node")
  String dockerImage;

  /** The two faults, as the rows of the result. */
  enum Fault {
    CRASH("kill -9 of a worker"), CUT("cut link of a worker");

    final String label;

    Fault(String label) {
      this.label = label;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (reps < 1 || replicas < workers || workers < 2) {
      System.err.println("error: need --reps >= 1, --workers >= 2 and --replicas >= --workers (one task per worker"
          + " at least); got --reps " + reps + " --workers " + workers + " --replicas " + replicas);
      return 2;
    }
    String loadBefore = loadAverage();
    ManagedChannel ch = AdminChannels.open(bundle, manager);
    try {
      List<Cluster> clusters = new ArrayList<>();
      clusters.add(new Orch(ch));
      for (String s : swarmBeds) {
        int eq = s.indexOf('=');
        if (eq < 1) {
          System.err.println("error: --swarm-bed wants BED=HEARTBEAT (e.g. vsns1=5s), got '" + s + "'");
          return 2;
        }
        clusters.add(new Swarm(s.substring(0, eq), s.substring(eq + 1)));
      }
      for (Cluster c : clusters) {
        c.setUp();
        System.out.println(c.name() + ": " + c.settings());
      }
      System.out.println("load average before: " + loadBefore);
      Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
      for (Fault f : Fault.values()) {
        figures.put(f.label, new LinkedHashMap<>());
        clusters.forEach(c -> figures.get(f.label).put(c.name(), new ArrayList<>()));
      }
      Map<String, Integer> faultsOf = new HashMap<>();
      for (int rep = 1; rep <= reps; rep++) {
        for (Fault f : Fault.values()) {
          int first = ((rep - 1) * Fault.values().length + f.ordinal()) % clusters.size();
          for (int k = 0; k < clusters.size(); k++) {
            Cluster c = clusters.get((first + k) % clusters.size());
            int node = 2 + faultsOf.merge(c.name(), 1, Integer::sum) % workers;
            String svc = "f" + rep + f.name().toLowerCase(Locale.ROOT);
            double s = measure(c, f, node, svc);
            figures.get(f.label).get(c.name()).add(s);
          }
        }
      }
      System.out.println("load average after: " + loadAverage());
      System.out.print(table(figures, reps));
      if (svg != null) {
        Files.writeString(svg, BarChart.svg("Fault of one of 3 workers → all " + replicas
            + " replicas running on the others: median seconds (" + reps + " reps)", figures));
        System.out.println("wrote " + svg);
      }
    } finally {
      ch.shutdownNow();
    }
    return 0;
  }

  /** One fault on one cluster: seconds from the fault until all replicas run on the other workers. */
  private double measure(Cluster c, Fault f, int node, String svc) throws Exception {
    awaitWhole(c);
    c.create(svc, replicas);
    Map<Integer, Integer> spread = waitFor(c.name() + ": " + svc + " to run " + replicas + " replicas", () -> {
      Map<Integer, Integer> r = c.running(svc);
      return total(r) == replicas ? r : null;
    });
    int there = spread.getOrDefault(node, 0);
    if (there == 0) {
      throw new IllegalStateException(c.name() + ": no replica of " + svc + " on node " + node
          + " to move (replicas per node: " + spread + ")");
    }
    List<String> victims = f == Fault.CRASH ? c.crashVictims(node) : List.of();
    long start = System.nanoTime();
    if (f == Fault.CRASH) {
      NodeCrash.kill(victims);
    } else {
      c.cut(node);
    }
    waitFor(c.name() + ": " + svc + " to run all replicas away from node " + node, () -> {
      Map<Integer, Integer> r = c.running(svc);
      return total(r) == replicas && r.getOrDefault(node, 0) == 0 ? r : null;
    }, 10);
    double s = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "%-22s %-20s node %d (%d of %d replicas there) -> all running elsewhere in %6.2f s%n",
        c.name(), f.label, node, there, replicas, s);
    if (f == Fault.CRASH) {
      c.restart(node);
    } else {
      c.heal(node);
    }
    c.remove(svc);
    return s;
  }

  static int total(Map<Integer, Integer> perNode) {
    return perNode.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Every node ready, no task and no container left from the last fault. */
  private void awaitWhole(Cluster c) throws Exception {
    String[] why = {""};
    try {
      waitFor(c.name() + " to be whole again", () -> {
        why[0] = c.notWhole();
        return why[0] == null ? Boolean.TRUE : null;
      }, 100);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + ": " + why[0], e);
    }
  }

  /** A condition's value, polled until it is not null. */
  interface Poll<T> {
    T value() throws Exception;
  }

  private <T> T waitFor(String what, Poll<T> poll) throws Exception {
    return waitFor(what, poll, 20);
  }

  private <T> T waitFor(String what, Poll<T> poll, long intervalMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    while (true) {
      T v = poll.value();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("waited " + timeoutS + " s for " + what);
      }
      Thread.sleep(intervalMs); // polling interval of the measurement
    }
  }

  /** Medians per fault and cluster, and each Swarm's ratio to orch, as a Markdown table. */
  static String table(Map<String, Map<String, List<Double>>> figures, int reps) {
    StringBuilder out = new StringBuilder();
    List<String> names = new ArrayList<>(figures.values().iterator().next().keySet());
    out.append(String.format(Locale.ROOT, "%n| fault (%d of each per cluster) |", reps));
    for (int i = 0; i < names.size(); i++) {
      out.append(' ').append(names.get(i)).append(" median (min–max) |");
      if (i > 0) {
        out.append(" ratio |");
      }
    }
    out.append("\n|---|");
    out.append("---|".repeat(2 * names.size() - 1)).append('\n');
    for (Map.Entry<String, Map<String, List<Double>>> row : figures.entrySet()) {
      out.append("| ").append(row.getKey()).append(" |");
      double first = BenchStats.median(row.getValue().get(names.get(0)));
      for (int i = 0; i < names.size(); i++) {
        List<Double> xs = row.getValue().get(names.get(i));
        double m = BenchStats.median(xs);
        out.append(String.format(Locale.ROOT, " %.2f s (%.2f–%.2f) |", m,
            xs.stream().mapToDouble(Double::doubleValue).min().orElse(0),
            xs.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
        if (i > 0) {
          out.append(String.format(Locale.ROOT, " %.1f× |", m / first));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
    return f[0] + " " + f[1] + " " + f[2];
  }

  private String sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
    }
    return out;
  }

  /** What a fault needs of a cluster on its test bed. Node numbers are the test bed's (1 = manager). */
  private abstract class Cluster {
    final String bed;
    /** Test-bed node number by address. */
    final Map<String, Integer> numberOfAddr = new HashMap<>();
    /** Test-bed node number by the cluster's node id. */
    final Map<String, Integer> numberOfId = new HashMap<>();

    Cluster(String bed) {
      this.bed = bed;
    }

    abstract String name();

    /** The failure-detection settings in effect, as the cluster reports them. */
    abstract String settings() throws Exception;

    /** Node ids mapped to test-bed nodes, manager drained. */
    void setUp() throws Exception {
      for (int i = 1; i <= workers + 1; i++) {
        numberOfAddr.put(sh(testbed.toString(), "--name", bed, "addr", Integer.toString(i)).trim(), i);
      }
    }

    /** Running replicas of {@code svc} that are meant to run, per test-bed node. */
    abstract Map<Integer, Integer> running(String svc) throws Exception;

    abstract void create(String svc, int n) throws Exception;

    abstract void remove(String svc) throws Exception;

    /** Why the cluster is not whole (a node not ready, a task or container left), or null when it is. */
    abstract String notWhole() throws Exception;

    /** The processes whose {@code kill -9} crashes the node: its daemons, their helpers, its containers. */
    abstract List<String> crashVictims(int node) throws Exception;

    /** Starts the crashed node's daemon again on its data. */
    abstract void restart(int node) throws Exception;

    void cut(int node) throws Exception {
      sh(testbed.toString(), "--name", bed, "partition", Integer.toString(node));
    }

    void heal(int node) throws Exception {
      sh(testbed.toString(), "--name", bed, "heal", Integer.toString(node));
    }

    Path nodeDir(int node) {
      return testbedRoot.resolve(bed).resolve("n" + node);
    }

    /** Where a container cgroup scope lives: cgroup v1's pids hierarchy, or the v2 unified one. */
    List<Path> cgroupParents(String scope) {
      return List.of(Path.of("/sys/fs/cgroup/pids").resolve(scope), Path.of("/sys/fs/cgroup").resolve(scope));
    }

    int number(String id) {
      Integer n = numberOfId.get(id);
      if (n == null) {
        throw new IllegalStateException(name() + ": node " + id + " is not one of the test bed's");
      }
      return n;
    }
  }

  /** orch through its Control API. */
  private final class Orch extends Cluster {
    private final ManagedChannel ch;

    Orch(ManagedChannel ch) {
      super(orchBed);
      this.ch = ch;
    }

    private ControlGrpc.ControlBlockingStub control() {
      return ControlGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Override String name() {
      return "orch";
    }

    @Override String settings() {
      long hb = control().getCluster(GetClusterRequest.getDefaultInstance()).getCluster().getDispatcherHeartbeatMs();
      return String.format(Locale.ROOT, "heartbeat period %d ms, a node is down %.1f s after its last heartbeat"
          + " (3 periods); a crashed node's closed connection ends its session at once; manager drained, restart"
          + " delay 0", hb, 3 * hb / 1000.0);
    }

    @Override void setUp() throws Exception {
      super.setUp();
      List<Node> nodes = waitFor("orch: " + (workers + 1) + " nodes", () -> {
        List<Node> ns = control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
        return ns.size() == workers + 1 ? ns : null;
      });
      for (Node n : nodes) {
        Integer i = numberOfAddr.get(n.getStatus().getAddr());
        if (i == null) {
          throw new IllegalStateException("orch: node " + n.getMeta().getId() + " has address "
              + n.getStatus().getAddr() + ", not one of the test bed's " + numberOfAddr.keySet());
        }
        numberOfId.put(n.getMeta().getId(), i);
        // The node's container cgroups go with the test bed (testbed down removes recorded ones).
        NodeCrash.recordCgroup(nodeDir(i), "orch/" + n.getMeta().getId());
        if (i == 1 && n.getSpec().getAvailability() != NodeAvailability.DRAIN) {
          control().updateNode(UpdateNodeRequest.newBuilder().setNode(n.getMeta().getId())
              .setSpec(n.getSpec().toBuilder().setAvailability(NodeAvailability.DRAIN)).build());
        }
      }
    }

    @Override Map<Integer, Integer> running(String svc) {
      List<Task> tasks;
      try {
        tasks = control().listTasks(ListTasksRequest.newBuilder().setService(svc).build()).getTasksList();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          return Map.of();
        }
        throw e;
      }
      Map<Integer, Integer> out = new TreeMap<>();
      tasks.stream()
          .filter(t -> t.getStatus().getState() == TaskState.RUNNING && t.getDesiredState() == TaskState.RUNNING)
          .forEach(t -> out.merge(number(t.getNodeId()), 1, Integer::sum));
      return out;
    }

    @Override void create(String svc, int n) {
      control().createService(CreateServiceRequest.newBuilder().setSpec(ServiceSpec.newBuilder()
          .setName(svc).setReplicas(n)
          .setRestart(RestartPolicy.newBuilder().setDelayMs(0))
          .setContainer(ContainerSpec.newBuilder().setImage("busybox").addCommand("sleep").addCommand("1000000")))
          .build());
    }

    @Override void remove(String svc) {
      control().removeService(RemoveServiceRequest.newBuilder().setService(svc).build());
    }

    @Override String notWhole() {
      for (Node n : control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()) {
        if (n.getStatus().getState() != NodeState.NODE_READY) {
          return "node " + number(n.getMeta().getId()) + " is " + n.getStatus().getState();
        }
      }
      for (Task t : control().listTasks(ListTasksRequest.getDefaultInstance()).getTasksList()) {
        if (t.getStatus().getState().getNumber() <= TaskState.RUNNING_VALUE) {
          return "task " + t.getServiceName() + "." + t.getSlot() + " is " + t.getStatus().getState();
        }
      }
      for (Map.Entry<String, Integer> n : numberOfId.entrySet()) {
        if (!NodeCrash.cgroupMembers(cgroupParents("orch/" + n.getKey())).isEmpty()) {
          return "node " + n.getValue() + " still has container processes";
        }
      }
      return null;
    }

    @Override List<String> crashVictims(int node) throws IOException {
      String id = numberOfId.entrySet().stream().filter(e -> e.getValue() == node).findFirst().orElseThrow().getKey();
      return NodeCrash.victims(nodeDir(node).resolve("data").toString(), cgroupParents("orch/" + id));
    }

    @Override void restart(int node) throws Exception {
      sh(testbed.toString(), "--name", bed, "start", Integer.toString(node), orchd.toString(), "run",
          "--data-dir", "{data}");
    }
  }

  /**
   * A Docker Swarm on its own test bed: one dockerd per node (started by the launcher with
   * {@code dockerd.sh} in the node's directory, its unix socket {@code docker.sock} there, its
   * containers in the cgroup scope {@code orch/BED-nN}); changes through the docker CLI on node 1,
   * the manager, state read from its Engine API.
   */
  private final class Swarm extends Cluster {
    private final String heartbeat;
    private final ObjectMapper json = new ObjectMapper();

    Swarm(String bed, String heartbeat) {
      super(bed);
      this.heartbeat = heartbeat;
    }

    @Override String name() {
      return "Swarm, " + heartbeat + " heartbeat";
    }

    private EngineApi api(int node) {
      return new EngineApi(nodeDir(node).resolve("docker.sock"));
    }

    private JsonNode get(int node, String path) throws IOException {
      String body = api(node).get(path);
      return body == null ? json.createArrayNode() : json.readTree(body);
    }

    @Override String settings() throws IOException {
      JsonNode swarm = get(1, "/swarm");
      double hb = swarm.path("Spec").path("Dispatcher").path("HeartbeatPeriod").asLong() / 1e9;
      return String.format(Locale.ROOT, "dispatcher heartbeat %.1f s (each period plus up to 0.5 s at random),"
          + " a node is down %.1f–%.1f s after its last heartbeat (3 periods); manager drained, restart delay 0;"
          + " docker %s", hb, 3 * hb, 3 * (hb + 0.5), get(1, "/version").path("Version").asText("?"));
    }

    @Override void setUp() throws Exception {
      super.setUp();
      JsonNode nodes = waitFor(name() + ": " + (workers + 1) + " nodes ready", () -> {
        JsonNode ns = get(1, "/nodes");
        int ready = 0;
        for (JsonNode n : ns) {
          ready += "ready".equals(n.path("Status").path("State").asText()) ? 1 : 0;
        }
        return ready == workers + 1 ? ns : null;
      });
      for (JsonNode n : nodes) {
        // A worker's address is the one its connection comes from; the manager's is the one it advertises.
        String addr = n.path("ManagerStatus").isMissingNode()
            ? n.path("Status").path("Addr").asText()
            : n.path("ManagerStatus").path("Addr").asText().replaceAll(":\\d+$", "");
        Integer i = numberOfAddr.get(addr);
        if (i == null) {
          throw new IllegalStateException(name() + ": node " + n.path("ID").asText() + " has address " + addr
              + ", not one of the test bed's " + numberOfAddr.keySet());
        }
        numberOfId.put(n.path("ID").asText(), i);
        if (i == 1 && !"drain".equals(n.path("Spec").path("Availability").asText())) {
          docker("node", "update", "--availability", "drain", n.path("ID").asText());
        }
      }
    }

    private void docker(String... args) throws Exception {
      List<String> argv = new ArrayList<>(List.of(docker, "-H", "unix://" + nodeDir(1).resolve("docker.sock")));
      argv.addAll(List.of(args));
      sh(argv.toArray(String[]::new));
    }

    @Override Map<Integer, Integer> running(String svc) throws IOException {
      return runningPerNode(get(1, "/tasks?filters=" + URLEncoder.encode("{\"service\":{\"" + svc
          + "\":true},\"desired-state\":{\"running\":true}}", StandardCharsets.UTF_8)), numberOfId);
    }

    @Override void create(String svc, int n) throws Exception {
      // --init: an init runs sleep, as orch's does; restart delay 0 as for orch (Swarm's default
      // of 5 s applies to the replacement of tasks of a down node too).
      docker("service", "create", "-d", "-q", "--name", svc, "--replicas", Integer.toString(n), "--init",
          "--restart-delay", "0s", "--no-resolve-image", dockerImage, "sleep", "1000000");
    }

    @Override void remove(String svc) throws Exception {
      docker("service", "rm", svc);
    }

    @Override String notWhole() throws IOException {
      for (JsonNode n : get(1, "/nodes")) {
        if (!"ready".equals(n.path("Status").path("State").asText())) {
          return "node " + number(n.path("ID").asText()) + " is " + n.path("Status").path("State").asText();
        }
      }
      int tasks = get(1, "/tasks").size();
      if (tasks > 0) {
        return tasks + " tasks left";
      }
      for (int i = 1; i <= workers + 1; i++) {
        int containers;
        try {
          containers = get(i, "/containers/json?all=1").size();
        } catch (IOException notYet) {
          return "node " + i + "'s dockerd does not answer yet (" + notYet.getMessage() + ")";
        }
        if (containers > 0) {
          return "node " + i + " has " + containers + " containers";
        }
        if (!NodeCrash.cgroupMembers(cgroupParents("orch/" + bed + "-n" + i)).isEmpty()) {
          return "node " + i + " still has container processes";
        }
      }
      return null;
    }

    @Override List<String> crashVictims(int node) throws IOException {
      // The ids name the shim sockets the killed shims leave in /run/containerd/s; the launcher
      // removes them at the end.
      StringBuilder ids = new StringBuilder();
      get(node, "/containers/json?all=1").forEach(c -> ids.append(c.path("Id").asText()).append('\n'));
      Files.writeString(nodeDir(node).resolve("killed-containers"), ids, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      return NodeCrash.victims(nodeDir(node) + "/", cgroupParents("orch/" + bed + "-n" + node));
    }

    @Override void restart(int node) throws Exception {
      sh(testbed.toString(), "--name", bed, "start", Integer.toString(node), "bash", "{dir}/dockerd.sh");
    }
  }

  /**
   * Swarm's tasks (an Engine API {@code GET /tasks} answer) in state running, counted per test-bed
   * node; tasks on nodes not in {@code numberOfId} are an error.
   */
  static Map<Integer, Integer> runningPerNode(JsonNode tasks, Map<String, Integer> numberOfId) {
    Map<Integer, Integer> out = new TreeMap<>();
    for (JsonNode t : tasks) {
      if ("running".equals(t.path("Status").path("State").asText())
          && "running".equals(t.path("DesiredState").asText())) {
        Integer n = numberOfId.get(t.path("NodeID").asText());
        if (n == null) {
          throw new IllegalStateException("task " + t.path("ID").asText() + " on unknown node "
              + t.path("NodeID").asText());
        }
        out.merge(n, 1, Integer::sum);
      }
    }
    return out;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SwarmNodesBench()).execute(args));
  }
}
