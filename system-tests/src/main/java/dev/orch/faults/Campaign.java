package dev.orch.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orch.manager.security.AdminChannels;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.GetNodeRequest;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.ListNodesRequest;
import dev.orch.proto.ListServicesRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeState;
import dev.orch.proto.RemoveServiceRequest;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateNodeRequest;
import dev.orch.proto.UpdateServiceRequest;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault campaign, run by deploy/bin/orch-faults inside node 1's namespace of a test bed whose
 * nodes 1..3 are managers and 4..6 workers. Each run: concurrent clients create, update, scale,
 * read and remove a few services through the Control API of random managers while the faults of
 * the run's plan are injected and healed; then the checkers run on what was recorded.
 */
@Command(name = "orch-faults", mixinStandardHelpOptions = true,
    description = "Seeded fault campaign with history checking on a test bed of 3 managers and 3 workers.")
public final class Campaign implements Callable<Integer> {
  @Option(names = "--seed", required = true, description = "seed of the fault plans; the same seed replays them")
  long seed;
  @Option(names = "--runs", defaultValue = "5") int runs;
  @Option(names = "--first-run", defaultValue = "1", description = "replay from this run of the seed's plan")
  int firstRun;
  @Option(names = "--keep-failed", description = "a failed run's history, plan, verdicts and node logs go here")
  Path keepFailed;
  @Option(names = "--max-minutes", defaultValue = "0",
      description = "start no run after this many minutes (0: no limit); the summary counts the runs done")
  double maxMinutes;
  @Option(names = "--clients", defaultValue = "4") int clients;
  @Option(names = "--services", defaultValue = "3") int services;
  @Option(names = "--tail-ms", defaultValue = "2000", description = "workload after the last fault healed")
  long tailMs;
  @Option(names = "--faults", split = ",", description = "fault kinds to draw from (default: all)")
  List<FaultPlan.Kind> kinds;
  @Option(names = "--bed", required = true) String bed;
  @Option(names = "--bed-dir", required = true) Path bedDir;
  @Option(names = "--admin-bundle", required = true) Path bundle;
  @Option(names = "--testbed", required = true) Path testbed;
  @Option(names = "--orchd", required = true) Path orchd;
  @Option(names = "--image", defaultValue = "busybox:latest") String image;

  static final int MANAGERS = 3;
  static final int NODES = 6;
  static final long CALL_DEADLINE_MS = 3000;
  static final long CONVERGENCE_S = 30;
  static final String LABEL = "faults.value";

  private final Map<Integer, ManagedChannel> channels = new HashMap<>();
  private final Map<Integer, String> nodeIds = new HashMap<>();

  /** Totals over the campaign. */
  private final Map<FaultPlan.Kind, Integer> faultCounts = new EnumMap<>(FaultPlan.Kind.class);
  private final Map<String, Integer> violations = new TreeMap<>();
  private int lostWrites;
  private int failedRuns;
  private int runsDone;
  private double worstConvergenceS;
  private long opsOk;
  private long opsUnknown;
  private long opsRefused;
  private final Map<Long, Set<String>> leadersByTerm = new TreeMap<>();
  private final Set<Long> reportedTerms = new HashSet<>();

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public Integer call() throws Exception {
    List<FaultPlan.Kind> pool = kinds == null || kinds.isEmpty() ? Arrays.asList(FaultPlan.Kind.values()) : kinds;
    for (int i = 1; i <= NODES; i++) {
      nodeIds.put(i, nodeIdOf(i));
    }
    for (int i = 1; i <= MANAGERS; i++) {
      channels.put(i, AdminChannels.open(bundle, addr(i) + ":4242"));
    }
    long started = System.nanoTime();
    try {
      warmUp();
      for (int run = firstRun; run < firstRun + runs; run++) {
        if (maxMinutes > 0 && (System.nanoTime() - started) / 60e9 > maxMinutes) {
          System.out.printf(Locale.ROOT, "stopping after %d runs: --max-minutes %.1f reached%n", runsDone, maxMinutes);
          break;
        }
        runOnce(run, FaultPlan.of(seed, run, pool));
        runsDone++;
      }
    } finally {
      channels.values().forEach(ManagedChannel::shutdownNow);
    }
    double minutes = (System.nanoTime() - started) / 60e9;
    System.out.printf(Locale.ROOT, "%ncampaign seed %d: %d runs in %.1f min, %d failed%n", seed, runsDone, minutes,
        failedRuns);
    System.out.println("faults by kind: " + faultCounts);
    System.out.printf(Locale.ROOT, "calls: %d ok, %d unknown outcome, %d refused%n", opsOk, opsUnknown, opsRefused);
    System.out.println("violations: " + (violations.isEmpty() ? "none" : violations));
    System.out.println("lost acknowledged writes: " + lostWrites);
    System.out.printf(Locale.ROOT, "worst convergence after heal: %.1f s%n", worstConvergenceS);
    System.out.println("leaders seen: " + leadersByTerm.size() + " terms, at most "
        + leadersByTerm.values().stream().mapToInt(Set::size).max().orElse(0) + " leader per term");
    return failedRuns == 0 ? 0 : 1;
  }

  // ---- one run ----

  private void runOnce(int run, List<FaultPlan.Fault> plan) throws Exception {
    List<String> problems = new ArrayList<>();
    List<String> injected = new ArrayList<>();
    String ready = awaitHealthy(120);
    if (ready != null) {
      failedRuns++;
      violations.merge("not healthy before the run", 1, Integer::sum);
      System.out.printf(Locale.ROOT, "run %3d: not run: the cluster is not healthy 120 s after the last run: %s%n",
          run, ready);
      return;
    }
    List<String> keys = new ArrayList<>();
    for (int k = 1; k <= services; k++) {
      keys.add("f" + seed + "-r" + run + "-s" + k);
    }
    History history = new History();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int c = 1; c <= clients; c++) {
      Client client = new Client(c, new Random(seed * 31 + run * 1009L + c), keys, history, stop, "r" + run);
      Thread t = new Thread(client, "faults-client-" + c);
      t.start();
      threads.add(t);
    }
    long healedAt;
    try {
      for (FaultPlan.Fault f : plan) {
        Thread.sleep(f.gapMs());
        Injected inj = inject(f);
        injected.add(inj.describe);
        faultCounts.merge(f.kind(), 1, Integer::sum);
        Thread.sleep(f.holdMs());
        inj.heal.run();
      }
      healedAt = System.nanoTime();
      Thread.sleep(tailMs);
    } finally {
      stop.set(true);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    }
    // (c) convergence, then the final state read through the leader, then (a), (b), (d).
    double convergedS = awaitConverged(keys, healedAt, problems);
    Map<String, String> finalState = new LinkedHashMap<>();
    for (String key : keys) {
      finalState.put(key, finalRead(key, history));
    }
    List<Op> ops = history.ops();
    for (Op op : ops) {
      if (op.result() == Op.Result.UNKNOWN) {
        opsUnknown++;
      } else if (op.result() == Op.Result.REFUSED) {
        opsRefused++;
      } else {
        opsOk++;
      }
    }
    for (LinearizabilityChecker.Verdict v : new LinearizabilityChecker().check(ops)) {
      if (v.outcome() != LinearizabilityChecker.Outcome.LINEARIZABLE) {
        problems.add("linearizability " + v.outcome() + " on " + v.key() + " (" + v.ops() + " calls): "
            + v.explanation());
      }
    }
    List<String> lost = LostWrites.find(ops, finalState);
    lostWrites += lost.size();
    lost.forEach(l -> problems.add("lost write: " + l));
    problems.addAll(checkLeaders());
    // Leave nothing behind: remove the run's services and check that every trace of them goes.
    problems.addAll(removeAndCheckLeaks(keys));
    System.out.printf(Locale.ROOT, "run %3d: %-70s %5d calls (%d unknown), converged in %5.1f s: %s%n", run,
        String.join(" + ", injected), ops.size(), ops.stream().filter(Op::unknown).count(), convergedS,
        problems.isEmpty() ? "ok" : problems.size() + " problem(s)");
    if (!problems.isEmpty()) {
      failedRuns++;
      for (String p : problems) {
        System.out.println("  " + p);
        violations.merge(p.substring(0, p.indexOf(':') < 0 ? p.length() : p.indexOf(':')).split(" on ")[0],
            1, Integer::sum);
      }
      keep(run, plan, injected, ops, problems);
    }
  }

  /**
   * Puts the image on every node before the runs, as an operator pre-pulls images: a global
   * service until each node runs its task, then removed. The runs then test the control plane, not
   * the first transfer of an image (a transfer stalled by a paused or cut-off manager waits for
   * its 5-minute deadline, see docs/reliability.md).
   */
  /**
   * On a loaded machine the create can outlast a call's deadline; it is sent again (its name makes
   * a repeat harmless: "already exists" means an earlier attempt committed it) for up to 60 s.
   */
  private void createWarmUp(ServiceSpec spec) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        stub(leader()).createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
        return;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw e;
        }
        sleep(1000); // retry interval of the warm-up
      }
    }
  }

  private void warmUp() {
    String name = "f" + seed + "-warmup";
    String ready = awaitHealthy(180);
    if (ready != null) {
      throw new IllegalStateException("the cluster did not become healthy: " + ready);
    }
    ServiceSpec spec = ServiceSpec.newBuilder().setName(name).setMode(dev.orch.proto.ServiceMode.MODE_GLOBAL)
        .setContainer(ContainerSpec.newBuilder().setImage(image).addAllCommand(List.of("sleep", "1000000"))).build();
    createWarmUp(spec);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (true) {
      long running = stub(leader()).listTasks(ListTasksRequest.newBuilder().setService(name).build()).getTasksList()
          .stream().filter(t -> t.getStatus().getState() == TaskState.RUNNING).count();
      if (running == NODES) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("warm-up: the image did not reach every node within 300 s");
      }
      sleep(500); // poll interval
    }
    stub(leader()).removeService(RemoveServiceRequest.newBuilder().setService(name).build());
    List<String> leaks = removeAndCheckLeaks(List.of(name));
    if (!leaks.isEmpty()) {
      throw new IllegalStateException("warm-up: " + leaks);
    }
  }

  private void keep(int run, List<FaultPlan.Fault> plan, List<String> injected, List<Op> ops, List<String> problems)
      throws IOException {
    if (keepFailed == null) {
      return;
    }
    Path dir = Files.createDirectories(keepFailed.resolve("seed-" + seed + "-run-" + run));
    JSON.writeValue(dir.resolve("history.json").toFile(), ops);
    JSON.writeValue(dir.resolve("plan.json").toFile(), Map.of("seed", seed, "run", run, "plan", plan,
        "injected", injected));
    Files.write(dir.resolve("problems.txt"), problems);
    for (int i = 1; i <= NODES; i++) {
      Path logs = bedDir.resolve("n" + i).resolve("logs");
      if (Files.isDirectory(logs)) {
        Path dest = Files.createDirectories(dir.resolve("n" + i));
        try (Stream<Path> files = Files.list(logs)) {
          for (Path f : files.toList()) {
            Files.copy(f, dest.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
    System.out.println("  kept in " + dir + "; replay with --seed " + seed + " --first-run " + run + " --runs 1");
  }

  // ---- faults ----

  private record Injected(String describe, Runnable heal) {}

  private Injected inject(FaultPlan.Fault f) throws Exception {
    int leader = leader();
    List<Integer> followers = new ArrayList<>();
    for (int i = 1; i <= MANAGERS; i++) {
      if (i != leader) {
        followers.add(i);
      }
    }
    int follower = followers.get(f.pick() % followers.size());
    int worker = MANAGERS + 1 + f.pick() % (NODES - MANAGERS);
    switch (f.kind()) {
      case KILL_LEADER:
        return kill(leader, "leader");
      case KILL_FOLLOWER:
        return kill(follower, "follower");
      case KILL_WORKER:
        return kill(worker, "worker");
      case PAUSE_LEADER:
        return pause(leader, "leader");
      case PAUSE_FOLLOWER:
        return pause(follower, "follower");
      case PAUSE_WORKER:
        return pause(worker, "worker");
      case PARTITION_LEADER_LINK:
        tb("partition", Integer.toString(leader));
        return new Injected("link down leader n" + leader, healNode(leader));
      case PARTITION_FOLLOWER_DROP:
        tb("partition", Integer.toString(follower), "--drop");
        return new Injected("nft drop follower n" + follower, healNode(follower));
      case PARTITION_WORKER_LINK:
        tb("partition", Integer.toString(worker));
        return new Injected("link down worker n" + worker, healNode(worker));
      case PARTITION_MAJORITY_FROM_LEADER: {
        String from = followers.get(0) + "," + followers.get(1);
        tb("partition", Integer.toString(leader), "--drop", "--from", from);
        return new Injected("nft drop leader n" + leader + " <-> followers " + from, healNode(leader));
      }
      case NETEM_LEADER:
        return netem(leader, "leader", f);
      case NETEM_FOLLOWER:
        return netem(follower, "follower", f);
      case RESTART_LEADER:
        return restart(leader, "leader");
      case RESTART_FOLLOWER:
        return restart(follower, "follower");
      case PROMOTE_DEMOTE:
        return promoteDemote(worker);
      default:
        throw new IllegalArgumentException("unknown fault " + f.kind());
    }
  }

  private Injected kill(int node, String role) throws Exception {
    tb("kill", Integer.toString(node), "KILL");
    return new Injected("kill -9 " + role + " n" + node, () -> startOrchd(node));
  }

  private Injected pause(int node, String role) throws Exception {
    tb("kill", Integer.toString(node), "STOP");
    return new Injected("SIGSTOP " + role + " n" + node, () -> unchecked(() -> tb("kill", Integer.toString(node), "CONT")));
  }

  /** Whether the kernel has tc's netem qdisc (probed once on node 1's interface). */
  private Boolean netem;

  private boolean netemAvailable() {
    if (netem == null) {
      try {
        tb("exec", "1", "tc", "qdisc", "replace", "dev", "eth0", "root", "netem", "delay", "1ms");
        tb("exec", "1", "tc", "qdisc", "del", "dev", "eth0", "root");
        netem = true;
      } catch (Exception e) {
        netem = false;
        System.out.println("*** netem is not available in this kernel (no sch_netem): delay faults are replaced"
            + " by random packet loss with nftables ***");
      }
    }
    return netem;
  }

  /**
   * Delay and loss on the node's interface with tc netem; on a kernel without netem, random loss
   * of the node's packets with an nftables rule (numgen random), which needs no module.
   */
  private Injected netem(int node, String role, FaultPlan.Fault f) throws Exception {
    String n = Integer.toString(node);
    if (netemAvailable()) {
      tb("exec", n, "tc", "qdisc", "replace", "dev", "eth0", "root", "netem",
          "delay", f.netemDelayMs() + "ms", (f.netemDelayMs() / 4) + "ms", "loss", f.netemLossPct() + "%");
      return new Injected("netem " + f.netemDelayMs() + "ms " + f.netemLossPct() + "% loss " + role + " n" + node,
          () -> unchecked(() -> tb("exec", n, "tc", "qdisc", "del", "dev", "eth0", "root")));
    }
    int loss = Math.max(5, f.netemLossPct() * 2);
    String rule = "numgen random mod 100 < " + loss + " drop";
    tb("exec", n, "nft", "add table inet orchfaults { chain in { type filter hook input priority -10; iifname \"eth0\" "
        + rule + "; }; chain out { type filter hook output priority -10; oifname \"eth0\" " + rule + "; }; }");
    return new Injected("nft " + loss + "% loss " + role + " n" + node,
        () -> unchecked(() -> tb("exec", n, "nft", "delete", "table", "inet", "orchfaults")));
  }

  private Injected restart(int node, String role) throws Exception {
    tb("stop", Integer.toString(node), "--timeout", "10");
    startOrchd(node);
    return new Injected("restart " + role + " n" + node, () -> { });
  }

  /** Makes a worker a manager under load, then a worker again at heal. */
  private Injected promoteDemote(int worker) {
    setRole(worker, NodeRole.MANAGER);
    return new Injected("promote+demote n" + worker, () -> setRole(worker, NodeRole.WORKER));
  }

  private void setRole(int node, NodeRole role) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        ControlGrpc.ControlBlockingStub c = stub(leader());
        Node n = c.getNode(GetNodeRequest.newBuilder().setNode(nodeIds.get(node)).build()).getNode();
        if (n.getSpec().getRole() == role) {
          return;
        }
        c.updateNode(UpdateNodeRequest.newBuilder().setNode(n.getMeta().getId()).setVersion(n.getMeta().getVersion())
            .setSpec(n.getSpec().toBuilder().setRole(role)).build());
        return;
      } catch (RuntimeException e) {
        last = e;
        sleep(500); // retry interval while the managers settle
      }
    }
    throw new IllegalStateException("could not make node n" + node + " a " + role, last);
  }

  private Runnable healNode(int node) {
    return () -> unchecked(() -> tb("heal", Integer.toString(node)));
  }

  private void startOrchd(int node) {
    unchecked(() -> tb("start", Integer.toString(node), orchd.toString(), "run", "--data-dir", "{data}"));
  }

  // ---- cluster views ----

  private ControlGrpc.ControlBlockingStub stub(int node) {
    return ControlGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS);
  }

  /** The leader's node index as the managers see it; waits up to 60 s for one. */
  private int leader() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (int via = 1; via <= MANAGERS; via++) {
        try {
          for (Node n : stub(via).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()) {
            if (n.getManagerStatus().getLeader()) {
              return indexOf(n.getManagerStatus().getAddr());
            }
          }
        } catch (RuntimeException down) {
          channels.get(via).resetConnectBackoff();
        }
      }
      sleep(200); // poll interval while there is no leader
    }
    throw new IllegalStateException("no leader within 60 s");
  }

  private static int indexOf(String addr) {
    String host = addr.contains(":") ? addr.substring(0, addr.lastIndexOf(':')) : addr;
    return Integer.parseInt(host.substring(host.lastIndexOf('.') + 1)) - 10;
  }

  /**
   * Null when all nodes are READY, exactly the first three are managers, all reachable, and every
   * manager serves the Control API; otherwise what is missing.
   */
  private String health() {
    for (int via = 1; via <= MANAGERS; via++) {
      try {
        stub(via).listNodes(ListNodesRequest.getDefaultInstance());
      } catch (RuntimeException down) {
        channels.get(via).resetConnectBackoff();
        return "manager n" + via + " does not answer: " + down.getMessage();
      }
    }
    List<Node> nodes = stub(leader()).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
    if (nodes.size() != NODES) {
      return nodes.size() + " nodes instead of " + NODES;
    }
    for (Node n : nodes) {
      int i = indexOf(n.getStatus().getAddr());
      if (n.getStatus().getState() != NodeState.NODE_READY) {
        return "node n" + i + " is " + n.getStatus().getState();
      }
      boolean manager = n.getSpec().getRole() == NodeRole.MANAGER;
      if (manager != (i <= MANAGERS)) {
        return "node n" + i + " has role " + n.getSpec().getRole();
      }
      if (manager && !n.getManagerStatus().getReachable()) {
        return "manager n" + i + " is not reachable";
      }
    }
    return null;
  }

  private String awaitHealthy(long seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String why = "not checked";
    while (System.nanoTime() < deadline) {
      try {
        why = health();
      } catch (RuntimeException e) {
        why = e.getMessage();
      }
      if (why == null) {
        return null;
      }
      sleep(250); // poll interval
    }
    return why;
  }

  /**
   * (c): within 30 s of the heal the cluster is whole again, each existing service of the run has
   * exactly its replicas running, one per slot, and no other task of the run runs. Returns the
   * time it took, and adds a problem when it did not happen.
   */
  private double awaitConverged(List<String> keys, long healedAt, List<String> problems) {
    long deadline = healedAt + TimeUnit.SECONDS.toNanos(CONVERGENCE_S);
    String why = "not checked";
    while (true) {
      try {
        why = health();
        if (why == null) {
          why = tasksConverged(keys);
        }
      } catch (RuntimeException e) {
        why = e.getMessage();
      }
      double s = (System.nanoTime() - healedAt) / 1e9;
      if (why == null) {
        worstConvergenceS = Math.max(worstConvergenceS, s);
        return s;
      }
      if (System.nanoTime() > deadline) {
        problems.add("convergence: not converged " + CONVERGENCE_S + " s after the heal: " + why);
        worstConvergenceS = Math.max(worstConvergenceS, s);
        return s;
      }
      sleep(250); // poll interval
    }
  }

  private String tasksConverged(List<String> keys) {
    ControlGrpc.ControlBlockingStub c = stub(leader());
    Map<String, Service> byId = new HashMap<>();
    for (Service s : c.listServices(ListServicesRequest.getDefaultInstance()).getServicesList()) {
      byId.put(s.getMeta().getId(), s);
    }
    Map<String, List<Task>> running = new HashMap<>();
    Map<String, String> runningAnywhere = new TreeMap<>();
    List<Task> allTasks = c.listTasks(ListTasksRequest.getDefaultInstance()).getTasksList();
    for (Task t : allTasks) {
      if (t.getStatus().getState() == TaskState.RUNNING) {
        runningAnywhere.put(t.getMeta().getId(), t.getNodeId());
      }
    }
    for (Task t : allTasks) {
      boolean ours = keys.stream().anyMatch(k -> k.equals(t.getServiceName()));
      if (!ours) {
        continue;
      }
      if (t.getStatus().getState() == TaskState.RUNNING) {
        Service s = byId.get(t.getServiceId());
        if (s == null || t.getDesiredState() != TaskState.RUNNING) {
          return "task " + t.getServiceName() + "." + t.getSlot() + " (" + t.getMeta().getId() + ") still runs on "
              + t.getNodeId() + " with desired state " + t.getDesiredState() + (s == null ? " of a removed service" : "");
        }
        running.computeIfAbsent(t.getServiceId(), x -> new ArrayList<>()).add(t);
      }
    }
    for (Service s : byId.values()) {
      if (!keys.contains(s.getSpec().getName())) {
        continue;
      }
      List<Task> tasks = running.getOrDefault(s.getMeta().getId(), List.of());
      Set<Long> slots = new HashSet<>();
      tasks.forEach(t -> slots.add(t.getSlot()));
      if (tasks.size() != s.getSpec().getReplicas() || slots.size() != tasks.size()) {
        return "service " + s.getSpec().getName() + " runs " + tasks.size() + " tasks in slots " + slots + " for "
            + s.getSpec().getReplicas() + " replicas";
      }
    }
    // Every running task has its container on its node, and no node has a container of another task.
    Map<String, String> containers;
    try {
      containers = containerCgroups(true);
    } catch (IOException e) {
      return "cannot list the nodes' container cgroups: " + e;
    }
    if (!containers.equals(runningAnywhere)) {
      return "live containers (task id=node id) " + containers + " differ from running tasks " + runningAnywhere;
    }
    return null;
  }

  /**
   * The container cgroups of every node of the bed: task id → node id. With {@code live}, only
   * those with a process in them: a stopped task keeps its container (and cgroup) until the task
   * is removed, as its history.
   */
  private Map<String, String> containerCgroups(boolean live) throws IOException {
    Map<String, String> found = new TreeMap<>();
    for (int i = 1; i <= NODES; i++) {
      String id = nodeIds.get(i);
      for (Path base : List.of(Path.of("/sys/fs/cgroup/pids/orch", id), Path.of("/sys/fs/cgroup/orch", id))) {
        if (Files.isDirectory(base)) {
          try (Stream<Path> s = Files.list(base)) {
            for (Path d : s.filter(Files::isDirectory).toList()) {
              if (!live || hasProcesses(d)) {
                found.put(d.getFileName().toString(), id);
              }
            }
          }
        }
      }
    }
    return found;
  }

  /**
   * Network leftovers: a node's namespace holds only lo and eth0, and the bed has no namespace
   * beyond its nodes' and its underlay's. Null when clean.
   */
  private String nodeLinks() throws IOException {
    try {
      for (int i = 1; i <= NODES; i++) {
        for (String line : sh("ip", "-n", bed + "-n" + i, "-br", "link").split("\n")) {
          String link = line.split("\\s+")[0].split("@")[0];
          if (!link.isEmpty() && !link.equals("lo") && !link.equals("eth0")) {
            return "node n" + i + " keeps the link " + line.trim();
          }
        }
      }
      for (String line : sh("ip", "netns", "list").split("\n")) {
        String ns = line.split("\\s+")[0];
        if (ns.startsWith(bed + "-") && !ns.equals(bed + "-ul") && !ns.matches(Pattern.quote(bed) + "-n[1-6]")) {
          return "the bed keeps the network namespace " + ns;
        }
      }
    } catch (Exception e) {
      throw new IOException("listing the nodes' links: " + e.getMessage(), e);
    }
    return null;
  }

  private static boolean hasProcesses(Path cgroup) {
    try {
      return !Files.readString(cgroup.resolve("cgroup.procs")).isBlank();
    } catch (IOException gone) {
      return false; // removed while we looked
    }
  }

  /** The service's value after the run, read through the leader; recorded as a read of the history. */
  private String finalRead(String key, History history) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      long start = System.nanoTime();
      try {
        Service s = stub(leader()).getService(GetServiceRequest.newBuilder().setService(key).build()).getService();
        String v = s.getSpec().getLabelsOrDefault(LABEL, "");
        history.add(new Op(0, Op.Kind.READ, key, null, null, Op.Result.OK, v, start, System.nanoTime(), null));
        return v;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          history.add(new Op(0, Op.Kind.READ, key, null, null, Op.Result.NOT_FOUND, null, start, System.nanoTime(),
              null));
          return null;
        }
        if (System.nanoTime() > deadline) {
          throw e;
        }
        sleep(200); // retry interval
      }
    }
  }

  /** (d): every manager's log, every term: at most one member became leader. */
  private static final Pattern BECAME_LEADER =
      Pattern.compile("(\\S+)@group-\\S+: changes role from\\s+\\S+\\s+to\\s+LEADER\\s+at term (\\d+)");

  private List<String> checkLeaders() throws IOException {
    List<String> problems = new ArrayList<>();
    int lines = 0;
    for (int i = 1; i <= NODES; i++) {
      Path logs = bedDir.resolve("n" + i).resolve("logs");
      if (!Files.isDirectory(logs)) {
        continue;
      }
      try (Stream<Path> files = Files.list(logs)) {
        for (Path f : files.toList()) {
          for (String line : Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            Matcher m = BECAME_LEADER.matcher(line);
            if (m.find()) {
              lines++;
              leadersByTerm.computeIfAbsent(Long.parseLong(m.group(2)), t -> new HashSet<>()).add(m.group(1));
            }
          }
        }
      }
    }
    if (lines == 0) {
      problems.add("leaders: no manager log records a leader election (is the Ratis role log enabled?)");
    }
    leadersByTerm.forEach((term, who) -> {
      if (who.size() > 1 && reportedTerms.add(term)) {
        problems.add("two leaders: term " + term + " was led by " + who);
      }
    });
    return problems;
  }

  /**
   * Removes the run's services, then (c) nothing leaked: within 30 s no task of theirs runs, and no
   * node keeps a container cgroup, an orch-shim process or a container mount.
   */
  private List<String> removeAndCheckLeaks(List<String> keys) {
    List<String> problems = new ArrayList<>();
    for (String key : keys) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          stub(leader()).removeService(RemoveServiceRequest.newBuilder().setService(key).build());
          break;
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
            break;
          }
          if (System.nanoTime() > deadline) {
            problems.add("cleanup: cannot remove service " + key + ": " + e.getMessage());
            break;
          }
          sleep(200); // retry interval
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONVERGENCE_S);
    String why;
    while (true) {
      try {
        why = leftovers(keys);
      } catch (RuntimeException | IOException e) {
        why = e.toString();
      }
      if (why == null) {
        return problems;
      }
      if (System.nanoTime() > deadline) {
        problems.add("leak: " + CONVERGENCE_S + " s after removing the run's services: " + why);
        return problems;
      }
      sleep(250); // poll interval
    }
  }

  private String leftovers(List<String> keys) throws IOException {
    for (Task t : stub(leader()).listTasks(ListTasksRequest.getDefaultInstance()).getTasksList()) {
      if (keys.contains(t.getServiceName()) && t.getStatus().getState().getNumber() <= TaskState.RUNNING_VALUE
          && t.getStatus().getState() != TaskState.NEW && t.getStatus().getState() != TaskState.PENDING) {
        return "task " + t.getServiceName() + "." + t.getSlot() + " is " + t.getStatus().getState() + " on " + t.getNodeId();
      }
    }
    Map<String, String> containers = containerCgroups(false);
    if (!containers.isEmpty()) {
      return "container cgroups remain (task id=node id): " + containers;
    }
    String links = nodeLinks();
    if (links != null) {
      return links;
    }
    String data = bedDir.toString();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
          if (cmdline.contains("orch-shim") && cmdline.contains(data)) {
            return "shim process " + p.getFileName() + " still runs: " + cmdline.trim();
          }
          if (cmdline.contains("dev.orch.manager.OrchDaemon")) {
            for (String m : Files.readAllLines(p.resolve("mountinfo"))) {
              if (m.contains(data) && m.contains("/containers/")) {
                return "orchd " + p.getFileName() + " keeps the mount " + m;
              }
            }
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return null;
  }

  // ---- the workload ----

  /** The recorded calls of one run, from every client. */
  static final class History {
    private final List<Op> ops = new ArrayList<>();

    synchronized void add(Op op) {
      ops.add(op);
    }

    synchronized List<Op> ops() {
      return new ArrayList<>(ops);
    }
  }

  /** One client: random calls on random services through random managers, each recorded. */
  final class Client implements Runnable {
    private final int id;
    private final Random random;
    private final List<String> keys;
    private final History history;
    private final AtomicBoolean stop;
    private final String tag;
    private int written;

    Client(int id, Random random, List<String> keys, History history, AtomicBoolean stop, String tag) {
      this.id = id;
      this.random = random;
      this.keys = keys;
      this.history = history;
      this.stop = stop;
      this.tag = tag;
    }

    @Override
    public void run() {
      while (!stop.get()) {
        String key = keys.get(random.nextInt(keys.size()));
        int dice = random.nextInt(100);
        if (dice < 30) {
          read(key);
        } else if (dice < 50) {
          Service s = read(key);
          if (s != null) {
            write(Op.Kind.UPDATE, key, s, s.getSpec().getReplicas());
          }
        } else if (dice < 65) {
          Service s = read(key);
          if (s != null) {
            write(Op.Kind.SCALE, key, s, random.nextInt(4));
          }
        } else if (dice < 85) {
          write(Op.Kind.CREATE, key, null, random.nextInt(3));
        } else {
          remove(key);
        }
      }
    }

    /** A manager whose channel is usable: a call to one in reconnect backoff fails without being sent. */
    private ControlGrpc.ControlBlockingStub pick() {
      List<Integer> order = new ArrayList<>(List.of(1, 2, 3));
      Collections.shuffle(order, random);
      for (int m : order) {
        ConnectivityState state = channels.get(m).getState(true);
        if (state == ConnectivityState.READY || state == ConnectivityState.IDLE) {
          return stub(m);
        }
        channels.get(m).resetConnectBackoff();
      }
      sleep(100); // no manager connected: let the channels reconnect
      return stub(order.get(0));
    }

    private Service read(String key) {
      long start = System.nanoTime();
      try {
        Service s = pick().getService(GetServiceRequest.newBuilder().setService(key).build()).getService();
        history.add(new Op(id, Op.Kind.READ, key, null, null, Op.Result.OK, s.getSpec().getLabelsOrDefault(LABEL, ""),
            start, System.nanoTime(), null));
        return s;
      } catch (StatusRuntimeException e) {
        history.add(failed(Op.Kind.READ, key, null, null, start, e));
        return null;
      }
    }

    private void write(Op.Kind kind, String key, Service current, long replicas) {
      String value = tag + "c" + id + "w" + (++written);
      long start = System.nanoTime();
      String expected = current == null ? null : current.getSpec().getLabelsOrDefault(LABEL, "");
      try {
        if (kind == Op.Kind.CREATE) {
          ServiceSpec spec = ServiceSpec.newBuilder().setName(key).putLabels(LABEL, value).setReplicas(replicas)
              .setContainer(ContainerSpec.newBuilder().setImage(image).addAllCommand(List.of("sleep", "1000000")))
              .build();
          pick().createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
        } else {
          ServiceSpec spec = current.getSpec().toBuilder().putLabels(LABEL, value).setReplicas(replicas).build();
          pick().updateService(UpdateServiceRequest.newBuilder().setService(key)
              .setVersion(current.getMeta().getVersion()).setSpec(spec).build());
        }
        history.add(new Op(id, kind, key, value, expected, Op.Result.OK, null, start, System.nanoTime(), null));
      } catch (StatusRuntimeException e) {
        history.add(failed(kind, key, value, expected, start, e));
      }
    }

    private void remove(String key) {
      long start = System.nanoTime();
      try {
        pick().removeService(RemoveServiceRequest.newBuilder().setService(key).build());
        history.add(new Op(id, Op.Kind.REMOVE, key, null, null, Op.Result.OK, null, start, System.nanoTime(), null));
      } catch (StatusRuntimeException e) {
        history.add(failed(Op.Kind.REMOVE, key, null, null, start, e));
      }
    }

    private Op failed(Op.Kind kind, String key, String value, String expected, long start, StatusRuntimeException e) {
      long end = System.nanoTime();
      Op.Result result = outcome(kind, e.getStatus().getCode());
      return new Op(id, kind, key, value, expected, result, null, start,
          result == Op.Result.UNKNOWN ? Long.MAX_VALUE : end, e.getStatus().getCode() + ": " + e.getStatus().getDescription());
    }
  }

  /**
   * What an error tells. A refusal by the API or the store (not found, name taken, stale version,
   * invalid) changed nothing; anything else (unavailable, deadline, internal) may have been
   * committed and is unknown.
   */
  static Op.Result outcome(Op.Kind kind, Status.Code code) {
    switch (code) {
      case NOT_FOUND:
        // A create is refused with NOT_FOUND only for its image: that says nothing of the service.
        return kind == Op.Kind.CREATE ? Op.Result.REFUSED : Op.Result.NOT_FOUND;
      case ALREADY_EXISTS:
        return kind == Op.Kind.CREATE ? Op.Result.EXISTS : Op.Result.REFUSED;
      case ABORTED:
      case FAILED_PRECONDITION:
      case INVALID_ARGUMENT:
        return Op.Result.REFUSED;
      default:
        return Op.Result.UNKNOWN;
    }
  }

  // ---- helpers ----

  private String addr(int i) {
    return "10.250.0." + (10 + i);
  }

  private String nodeIdOf(int i) throws IOException {
    for (String line : Files.readAllLines(bedDir.resolve("n" + i).resolve("data/node.properties"))) {
      if (line.startsWith("node.id=")) {
        return line.substring("node.id=".length());
      }
    }
    throw new IOException("node n" + i + " has no node id");
  }

  private void tb(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(testbed.toString(), "--name", bed));
    cmd.addAll(List.of(args));
    sh(cmd.toArray(String[]::new));
  }

  /** Runs a command; returns its output, fails on a non-zero exit. */
  private static String sh(String... command) throws Exception {
    List<String> cmd = List.of(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " timed out");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.trim());
    }
    return out;
  }

  private interface Action {
    void run() throws Exception;
  }

  private static void unchecked(Action a) {
    try {
      a.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Campaign()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }
}
