package dev.orch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.RemoveServiceRequest;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateConfig;
import dev.orch.proto.UpdateServiceRequest;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * orch beside Docker Swarm on one node: the same scenarios on the same busybox rootfs, run for
 * orch and for Swarm in turn, {@code --reps} times, medians and the ratio Swarm / orch printed per
 * scenario. orch runs in this JVM as {@link ServiceBench} starts it; Swarm is a dockerd started by
 * {@code deploy/bin/orch-bench-vs-swarm}, driven with its CLI and observed through its Engine API
 * on the unix socket.
 */
@Command(name = "orch-bench-vs-swarm", mixinStandardHelpOptions = true,
    description = "Service scenarios on one node, orch and Docker Swarm alternately.")
public final class SwarmBench implements Callable<Integer> {
  @Option(names = "--reps", defaultValue = "3") int reps;
  @Option(names = "--replicas", defaultValue = "50") int replicas;
  @Option(names = "--scale-to", defaultValue = "200") int scaleTo;
  @Option(names = "--kills", defaultValue = "10") int kills;
  @Option(names = "--update-replicas", defaultValue = "20") int updateReplicas;
  @Option(names = "--parallelism", defaultValue = "5") int parallelism;
  @Option(names = "--timeout-s", defaultValue = "600", description = "give up on a scenario after this") long timeoutS;
  @Option(names = "--svg", description = "also write the medians as an SVG bar chart (a line chart with --sweep)")
  Path svg;
  @Option(names = "--sweep", split = ",", description = "instead of the four scenarios: create → all running for"
      + " each of these replica counts (e.g. 10,50,100,200), the service removed after each")
  List<Integer> sweep = List.of();
  @Option(names = "--image", required = true, description = "orch image archive (busybox)") Path image;
  @Option(names = "--docker", required = true) String docker;
  @Option(names = "--docker-image", required = true, description = "the same rootfs, docker-imported") String dockerImage;
  @Option(names = "--docker-socket", required = true) Path dockerSocket;

  /** A running task as both systems report it: id, slot, host pid of the container's init, its env. */
  record Running(String id, long slot, int pid, List<String> env) {}

  /** What a scenario needs of an orchestrator. */
  interface Peer {
    String name();
    void create(String service, int replicas) throws Exception;
    void scale(String service, int replicas) throws Exception;
    void update(String service, String env) throws Exception;
    void remove(String service) throws Exception;
    /** Tasks in state running; {@code desired} keeps only those meant to keep running. */
    List<Running> running(String service, boolean desired) throws Exception;
  }

  static final String[] SCENARIOS = {
    "create → all running", "scale → all running", "kill → all replaced", "rolling update → converged"};

  @Override
  public Integer call() throws Exception {
    try (BenchNode node = BenchNode.start("orch-bench-vs-swarm")) {
      ManagedChannel ch = node.channel();
      node.importImage(image);
      List<Peer> peers = List.of(new Orch(ch), new Swarm());
      if (!sweep.isEmpty()) {
        return sweep(peers);
      }
      Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
      for (String s : SCENARIOS) {
        figures.put(s, new LinkedHashMap<>());
        peers.forEach(p -> figures.get(s).put(p.name(), new ArrayList<>()));
      }
      for (int rep = 1; rep <= reps; rep++) {
        // Alternate which system goes first, so neither always runs on the warmer machine.
        List<Peer> order = rep % 2 == 1 ? peers : List.of(peers.get(1), peers.get(0));
        for (Peer p : order) {
          double[] t = runScenarios(p, rep);
          for (int i = 0; i < SCENARIOS.length; i++) {
            figures.get(SCENARIOS[i]).get(p.name()).add(t[i]);
          }
          System.out.printf(Locale.ROOT, "rep %d %-5s: create %d %.3f s, scale %d->%d %.3f s, kill %d %.3f s,"
              + " update %d (parallelism %d) %.3f s%n", rep, p.name(), replicas, t[0], replicas, scaleTo, t[1],
              kills, t[2], updateReplicas, parallelism, t[3]);
        }
      }
      printTable(figures);
      if (svg != null) {
        Files.writeString(svg, BarChart.svg("orch and Docker Swarm on one node: median seconds (" + reps
            + " reps)", figures));
        System.out.println("wrote " + svg);
      }
    }
    return 0;
  }

  /** Convergence time against replica count: create → all running, for each count, alternating. */
  private int sweep(List<Peer> peers) throws Exception {
    for (int n : sweep) {
      if (n < 1) {
        System.err.println("error: --sweep: replica counts must be at least 1, got " + n);
        return 2;
      }
    }
    Map<String, java.util.SortedMap<Integer, List<Double>>> figures = new LinkedHashMap<>();
    peers.forEach(p -> figures.put(p.name(), new java.util.TreeMap<>()));
    for (int rep = 1; rep <= reps; rep++) {
      for (int n : sweep) {
        List<Peer> order = (rep + n) % 2 == 1 ? peers : List.of(peers.get(1), peers.get(0));
        for (Peer p : order) {
          String svc = "sweep" + rep + "n" + n;
          long start = System.nanoTime();
          p.create(svc, n);
          await(p, svc, n, Set.of(), null);
          double t = since(start);
          p.remove(svc);
          awaitGone(p, svc);
          figures.get(p.name()).computeIfAbsent(n, k -> new ArrayList<>()).add(t);
          System.out.printf(Locale.ROOT, "rep %d %-5s: create %d → all running %.3f s%n", rep, p.name(), n, t);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%n| replicas | orch median | Swarm median | Swarm / orch |%n|---|---|---|---|%n");
    for (int n : new java.util.TreeSet<>(sweep)) {
      double o = BenchStats.median(figures.get("orch").get(n));
      double w = BenchStats.median(figures.get("swarm").get(n));
      System.out.printf(Locale.ROOT, "| %d | %.3f s | %.3f s | %.1f× |%n", n, o, w, w / o);
    }
    if (svg != null) {
      Files.writeString(svg, LineChart.svg("service create → all running, one node: median seconds (" + reps
          + " reps)", "replicas", figures));
      System.out.println("wrote " + svg);
    }
    return 0;
  }

  private String scenarioLabel(int i) {
    return switch (i) {
      case 0 -> "service create --replicas " + replicas + " → all running";
      case 1 -> "scale " + replicas + " → " + scaleTo + " → all running";
      case 2 -> "kill -9 of " + kills + " containers → all replaced";
      default -> "rolling update of " + updateReplicas + ", parallelism " + parallelism + ", delay 0 → converged";
    };
  }

  private void printTable(Map<String, Map<String, List<Double>>> figures) {
    System.out.printf(Locale.ROOT, "%n| scenario | orch median | Swarm median | Swarm / orch |%n|---|---|---|---|%n");
    int i = 0;
    for (Map<String, List<Double>> row : figures.values()) {
      double o = BenchStats.median(row.get("orch"));
      double s = BenchStats.median(row.get("swarm"));
      System.out.printf(Locale.ROOT, "| %s | %.3f s | %.3f s | %.1f× |%n", scenarioLabel(i++), o, s, s / o);
    }
  }

  /** One repetition for one system; seconds per scenario in {@link #SCENARIOS} order. */
  private double[] runScenarios(Peer p, int rep) throws Exception {
    double[] t = new double[SCENARIOS.length];
    String svc = "bench" + rep;
    long start = System.nanoTime();
    p.create(svc, replicas);
    await(p, svc, replicas, Set.of(), null);
    t[0] = since(start);

    start = System.nanoTime();
    p.scale(svc, scaleTo);
    await(p, svc, scaleTo, Set.of(), null);
    t[1] = since(start);

    List<Running> victims = p.running(svc, true).stream().limit(kills).toList();
    Set<String> victimIds = victims.stream().map(Running::id).collect(Collectors.toSet());
    List<String> workloads = new ArrayList<>();
    for (Running v : victims) {
      workloads.add(workloadPid(v.pid()));
    }
    start = System.nanoTime();
    List<String> kill = new ArrayList<>(List.of("kill", "-9"));
    kill.addAll(workloads);
    run(kill);
    await(p, svc, scaleTo, victimIds, null);
    t[2] = since(start);
    p.remove(svc);
    awaitGone(p, svc);

    String up = "up" + rep;
    p.create(up, updateReplicas);
    await(p, up, updateReplicas, Set.of(), null);
    String env = "RUN=" + rep;
    start = System.nanoTime();
    p.update(up, env);
    await(p, up, updateReplicas, Set.of(), env);
    t[3] = since(start);
    p.remove(up);
    awaitGone(p, up);
    return t;
  }

  /**
   * Until {@code n} tasks are running and meant to, none of them in {@code gone}, and, with
   * {@code env}, every running task (old ones being stopped too) has it.
   */
  private void await(Peer p, String svc, int n, Set<String> gone, String env) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    while (true) {
      List<Running> all = env == null ? List.of() : p.running(svc, false);
      List<Running> live = p.running(svc, true);
      boolean ok = live.size() == n && live.stream().noneMatch(r -> gone.contains(r.id()))
          && all.stream().allMatch(r -> r.env().contains(env));
      if (ok) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(p.name() + ": " + svc + " not converged after " + timeoutS + " s ("
            + live.size() + " of " + n + " running)");
      }
      Thread.sleep(5); // polling interval of the measurement
    }
  }

  private void awaitGone(Peer p, String svc) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    while (!p.running(svc, false).isEmpty() || p instanceof Swarm s && s.containers() > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(p.name() + ": " + svc + " still has containers after " + timeoutS + " s");
      }
      Thread.sleep(20);
    }
  }

  /** The container's workload: the first child of its init (orch's init, docker's --init). */
  static String workloadPid(int initPid) throws IOException {
    String children = Files.readString(Path.of("/proc/" + initPid + "/task/" + initPid + "/children")).trim();
    if (children.isEmpty()) {
      throw new IllegalStateException("container init " + initPid + " has no workload process");
    }
    return children.split(" ")[0];
  }

  private static double since(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static String run(List<String> argv) throws IOException, InterruptedException {
    Process proc = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (proc.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + out.trim());
    }
    return out;
  }

  /** orch through its Control API, as orchctl calls it. */
  private final class Orch implements Peer {
    private final ManagedChannel ch;

    Orch(ManagedChannel ch) {
      this.ch = ch;
    }

    private ControlGrpc.ControlBlockingStub control() {
      return ControlGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override public String name() {
      return "orch";
    }

    @Override public void create(String service, int n) {
      control().createService(CreateServiceRequest.newBuilder().setSpec(ServiceSpec.newBuilder()
          .setName(service).setReplicas(n)
          .setRestart(RestartPolicy.newBuilder().setDelayMs(0))
          .setUpdate(UpdateConfig.newBuilder().setParallelism(parallelism).setDelayMs(0))
          .setContainer(ContainerSpec.newBuilder().setImage("busybox").addCommand("sleep").addCommand("100000")))
          .build());
    }

    private void change(String service, java.util.function.UnaryOperator<ServiceSpec> edit) {
      Service current = control().getService(GetServiceRequest.newBuilder().setService(service).build()).getService();
      control().updateService(UpdateServiceRequest.newBuilder().setService(service)
          .setVersion(current.getMeta().getVersion()).setSpec(edit.apply(current.getSpec())).build());
    }

    @Override public void scale(String service, int n) {
      change(service, s -> s.toBuilder().setReplicas(n).build());
    }

    @Override public void update(String service, String env) {
      change(service, s -> s.toBuilder().setContainer(s.getContainer().toBuilder().clearEnv().addEnv(env)).build());
    }

    @Override public void remove(String service) {
      control().removeService(RemoveServiceRequest.newBuilder().setService(service).build());
    }

    @Override public List<Running> running(String service, boolean desired) {
      List<Task> tasks;
      try {
        tasks = control().listTasks(ListTasksRequest.newBuilder().setService(service).build()).getTasksList();
      } catch (io.grpc.StatusRuntimeException e) {
        if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
          return List.of(); // removed
        }
        throw e;
      }
      return tasks.stream()
          .filter(t -> t.getStatus().getState() == TaskState.RUNNING)
          .filter(t -> !desired || t.getDesiredState() == TaskState.RUNNING)
          .map(t -> new Running(t.getMeta().getId(), t.getSlot(), t.getStatus().getPid(),
              t.getSpec().getContainer().getEnvList()))
          .toList();
    }
  }

  /** Docker Swarm: changes through the docker CLI, state read from the Engine API on the unix socket. */
  private final class Swarm implements Peer {
    private final ObjectMapper json = new ObjectMapper();
    private final EngineApi api = new EngineApi(dockerSocket);

    @Override public String name() {
      return "swarm";
    }

    private void docker(String... args) throws IOException, InterruptedException {
      List<String> argv = new ArrayList<>(List.of(docker));
      argv.addAll(List.of(args));
      run(argv);
    }

    @Override public void create(String service, int n) throws Exception {
      // --init: an init forwards SIGTERM to sleep, as orch's does (sleep as PID 1 would ignore it
      // and be killed only after the 10 s grace period); restart delay 0 as for orch.
      docker("service", "create", "-d", "-q", "--name", service, "--replicas", String.valueOf(n), "--init",
          "--restart-delay", "0s", "--update-parallelism", String.valueOf(parallelism), "--update-delay", "0s",
          dockerImage, "sleep", "100000");
    }

    @Override public void scale(String service, int n) throws Exception {
      docker("service", "scale", "-d", service + "=" + n);
    }

    @Override public void update(String service, String env) throws Exception {
      docker("service", "update", "-d", "-q", "--env-add", env, service);
    }

    @Override public void remove(String service) throws Exception {
      docker("service", "rm", service);
    }

    @Override public List<Running> running(String service, boolean desired) throws IOException {
      String body = get("/tasks?filters="
          + URLEncoder.encode("{\"service\":{\"" + service + "\":true}}", StandardCharsets.UTF_8));
      List<Running> out = new ArrayList<>();
      if (body == null) {
        return out; // the service is gone
      }
      JsonNode tasks = json.readTree(body);
      for (JsonNode t : tasks) {
        if (!"running".equals(t.path("Status").path("State").asText())
            || desired && !"running".equals(t.path("DesiredState").asText())) {
          continue;
        }
        List<String> env = new ArrayList<>();
        t.path("Spec").path("ContainerSpec").path("Env").forEach(e -> env.add(e.asText()));
        out.add(new Running(t.path("ID").asText(), t.path("Slot").asLong(),
            t.path("Status").path("ContainerStatus").path("PID").asInt(), env));
      }
      return out;
    }

    int containers() throws IOException {
      return json.readTree(get("/containers/json?all=1")).size();
    }

    private String get(String path) throws IOException {
      return api.get(path);
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SwarmBench()).execute(args));
  }
}
