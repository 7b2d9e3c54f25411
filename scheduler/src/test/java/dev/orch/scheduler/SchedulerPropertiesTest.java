package dev.orch.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeState;
import dev.orch.proto.Placement;
import dev.orch.proto.Resources;
import dev.orch.proto.Task;
import dev.orch.scheduler.constraint.Constraint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariants over seeded random clusters: every seed below is a reproducible case. Each cluster
 * mixes node states, availabilities, sizes and labels; each batch mixes services with
 * reservations, constraints, spread preferences and replica limits.
 */
class SchedulerPropertiesTest {
  private static final String[] ZONES = {"a", "b", "c"};
  private static final String[] DISKS = {"ssd", "hdd"};

  static IntStream seeds() {
    return IntStream.range(0, 60);
  }

  private record Case(List<Node> nodes, List<Task> running, List<Task> pending) {}

  private static Case randomCase(long seed) {
    Random r = new Random(seed);
    List<Node> nodes = new ArrayList<>();
    int n = 1 + r.nextInt(40);
    for (int i = 0; i < n; i++) {
      Node.Builder b = Fixtures.node(String.format("n%03d", i));
      b.getStatusBuilder().setState(r.nextInt(10) == 0 ? NodeState.NODE_DOWN : NodeState.NODE_READY);
      b.getSpecBuilder().setAvailability(r.nextInt(12) == 0 ? NodeAvailability.DRAIN : NodeAvailability.ACTIVE);
      if (r.nextInt(5) > 0) {
        b.getSpecBuilder().putLabels("zone", ZONES[r.nextInt(ZONES.length)]);
      }
      b.getSpecBuilder().putLabels("disk", DISKS[r.nextInt(DISKS.length)]);
      b.getDescriptionBuilder().getResourcesBuilder()
          .setMemoryBytes((1 + r.nextInt(8)) * Fixtures.GIB).setNanoCpus((1 + r.nextInt(8)) * Fixtures.CPU);
      nodes.add(b.build());
    }
    List<Task> running = new ArrayList<>();
    List<Task> pending = new ArrayList<>();
    int services = 1 + r.nextInt(4);
    for (int s = 0; s < services; s++) {
      Placement.Builder p = Placement.newBuilder();
      if (r.nextBoolean()) {
        p.addConstraints(r.nextBoolean() ? "node.labels.disk==ssd" : "node.labels.zone!=c");
      }
      if (r.nextBoolean()) {
        p.addPreferencesBuilder().setSpread("node.labels.zone");
      }
      if (r.nextInt(3) == 0) {
        p.setMaxReplicasPerNode(1 + r.nextInt(3));
      }
      Resources res = r.nextBoolean() ? Resources.getDefaultInstance()
          : Resources.newBuilder().setMemoryBytes((1 + r.nextInt(4)) * 256 * Fixtures.MIB)
              .setNanoCpus(r.nextInt(3) * Fixtures.CPU / 4).build();
      int count = r.nextInt(60);
      for (int i = 0; i < count; i++) {
        Task.Builder t = Fixtures.task("s" + s + "-t" + i, "svc" + s);
        t.getSpecBuilder().setPlacement(p).setReservations(res);
        if (r.nextInt(4) == 0) {
          running.add(t.setNodeId(nodes.get(r.nextInt(nodes.size())).getMeta().getId()).build());
        } else {
          pending.add(t.build());
        }
      }
    }
    return new Case(nodes, running, pending);
  }

  private static List<PlacementDecision> schedule(Case c, long seed) {
    return new Scheduler(new Random(seed)).schedule(c.nodes(), c.running(), c.pending());
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void noNodeIsPlacedOverItsReservations(long seed) {
    Case c = randomCase(seed);
    List<PlacementDecision> out = schedule(c, seed);
    Map<String, Long> memory = new HashMap<>();
    Map<String, Long> cpu = new HashMap<>();
    Map<String, Task> byId = new HashMap<>();
    c.pending().forEach(t -> byId.put(t.getMeta().getId(), t));
    List<Task> placed = new ArrayList<>();
    out.stream().filter(PlacementDecision::placed)
        .forEach(d -> placed.add(byId.get(d.taskId()).toBuilder().setNodeId(d.nodeId()).build()));
    List<Task> all = new ArrayList<>(c.running());
    all.addAll(placed);
    for (Task t : all) {
      memory.merge(t.getNodeId(), t.getSpec().getReservations().getMemoryBytes(), Long::sum);
      cpu.merge(t.getNodeId(), t.getSpec().getReservations().getNanoCpus(), Long::sum);
    }
    for (Task t : placed) {
      Resources has = node(c, t.getNodeId()).getDescription().getResources();
      // Running tasks may already overcommit (they were placed on another view); a new one never adds to that.
      if (t.getSpec().getReservations().getMemoryBytes() > 0) {
        assertTrue(memory.get(t.getNodeId()) <= has.getMemoryBytes(), "seed " + seed + " memory on " + t.getNodeId());
      }
      if (t.getSpec().getReservations().getNanoCpus() > 0) {
        assertTrue(cpu.get(t.getNodeId()) <= has.getNanoCpus(), "seed " + seed + " cpu on " + t.getNodeId());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void constraintsStateAndLimitsAlwaysHold(long seed) {
    Case c = randomCase(seed);
    Map<String, Integer> perServiceNode = new HashMap<>();
    c.running().forEach(t -> perServiceNode.merge(t.getServiceId() + "@" + t.getNodeId(), 1, Integer::sum));
    Map<String, Task> byId = new HashMap<>();
    c.pending().forEach(t -> byId.put(t.getMeta().getId(), t));
    for (PlacementDecision d : schedule(c, seed)) {
      if (!d.placed()) {
        assertTrue(d.explanation().startsWith("no suitable node ("), d.explanation());
        continue;
      }
      Task t = byId.get(d.taskId());
      Node n = node(c, d.nodeId());
      assertEquals(NodeState.NODE_READY, n.getStatus().getState());
      assertEquals(NodeAvailability.ACTIVE, n.getSpec().getAvailability());
      for (String constraint : t.getSpec().getPlacement().getConstraintsList()) {
        assertTrue(Constraint.parse(constraint).matches(n), "seed " + seed + ": " + constraint + " on " + d.nodeId());
      }
      int onNode = perServiceNode.merge(t.getServiceId() + "@" + d.nodeId(), 1, Integer::sum);
      long max = t.getSpec().getPlacement().getMaxReplicasPerNode();
      assertTrue(max == 0 || onNode <= max, "seed " + seed + ": " + onNode + " > max " + max);
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void spreadDiffersByAtMostOneBetweenEligibleNodes(long seed) {
    // Only the scorer decides here: no reservations, limits or preferences, nothing running.
    Random r = new Random(seed);
    List<Node> nodes = new ArrayList<>();
    int n = 1 + r.nextInt(50);
    for (int i = 0; i < n; i++) {
      nodes.add(Fixtures.node("n" + i, "disk", DISKS[r.nextInt(2)]));
    }
    Placement p = Fixtures.constraints("node.labels.disk==ssd");
    List<Task> pending = Fixtures.tasks("web", r.nextInt(300), p);
    Map<String, Integer> counts = Fixtures.perNode(new Scheduler(new Random(seed)).schedule(nodes, List.of(), pending));
    List<String> eligible = nodes.stream().filter(x -> x.getSpec().getLabelsOrThrow("disk").equals("ssd"))
        .map(x -> x.getMeta().getId()).toList();
    if (eligible.isEmpty()) {
      assertTrue(counts.isEmpty());
      return;
    }
    int min = eligible.stream().mapToInt(id -> counts.getOrDefault(id, 0)).min().orElseThrow();
    int max = eligible.stream().mapToInt(id -> counts.getOrDefault(id, 0)).max().orElseThrow();
    assertTrue(max - min <= 1, "seed " + seed + ": min " + min + " max " + max);
    assertEquals(pending.size(), counts.values().stream().mapToInt(Integer::intValue).sum());
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void spreadPreferenceDiffersByAtMostOneBetweenValues(long seed) {
    Random r = new Random(seed);
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 2 + r.nextInt(30); i++) {
      nodes.add(Fixtures.node("n" + i, "zone", ZONES[r.nextInt(ZONES.length)]));
    }
    List<Task> pending = Fixtures.tasks("web", r.nextInt(200), Fixtures.spread("node.labels.zone"));
    Map<String, String> zone = new HashMap<>();
    nodes.forEach(x -> zone.put(x.getMeta().getId(), x.getSpec().getLabelsOrThrow("zone")));
    Map<String, Integer> perZone = new HashMap<>();
    zone.values().forEach(z -> perZone.put(z, 0));
    new Scheduler(new Random(seed)).schedule(nodes, List.of(), pending)
        .forEach(d -> perZone.merge(zone.get(d.nodeId()), 1, Integer::sum));
    int min = perZone.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    int max = perZone.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    assertTrue(max - min <= 1, "seed " + seed + ": " + perZone);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void sameSeedGivesTheSamePlan(long seed) {
    Case c = randomCase(seed);
    assertEquals(schedule(c, seed), schedule(c, seed));
    // And the plan does not depend on the order the store listed the nodes in.
    List<Node> reversed = new ArrayList<>(c.nodes());
    java.util.Collections.reverse(reversed);
    assertEquals(schedule(c, seed), schedule(new Case(reversed, c.running(), c.pending()), seed));
  }

  private static Node node(Case c, String id) {
    return c.nodes().stream().filter(n -> n.getMeta().getId().equals(id)).findFirst().orElseThrow();
  }
}
