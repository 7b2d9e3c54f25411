package dev.orch.scheduler;

import static dev.orch.scheduler.Fixtures.node;
import static dev.orch.scheduler.Fixtures.perNode;
import static dev.orch.scheduler.Fixtures.spread;
import static dev.orch.scheduler.Fixtures.task;
import static dev.orch.scheduler.Fixtures.tasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Node;
import dev.orch.proto.Placement;
import dev.orch.proto.PlacementStrategy;
import dev.orch.proto.Resources;
import dev.orch.proto.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Spread preferences, replicas per node and the binpack strategy. */
class PlacementPreferencesTest {
  private static List<PlacementDecision> schedule(List<Node> nodes, List<Task> running, List<Task> pending) {
    return new Scheduler(new Random(7)).schedule(nodes, running, pending);
  }

  private static Map<String, Integer> perLabel(List<Node> nodes, List<PlacementDecision> out, String label) {
    Map<String, String> value = new HashMap<>();
    nodes.forEach(n -> value.put(n.getMeta().getId(), n.getSpec().getLabelsOrDefault(label, "")));
    Map<String, Integer> counts = new HashMap<>();
    out.forEach(d -> counts.merge(value.get(d.nodeId()), 1, Integer::sum));
    return counts;
  }

  @Test
  void spreadsEvenlyOverZonesWhateverTheirSize() {
    // Zone a has 4 nodes and zone b one: each zone still gets half, as Swarm does.
    List<Node> nodes = List.of(node("a1", "zone", "a"), node("a2", "zone", "a"), node("a3", "zone", "a"),
        node("a4", "zone", "a"), node("b1", "zone", "b"));
    List<PlacementDecision> out = schedule(nodes, List.of(), tasks("web", 8, spread("node.labels.zone")));
    assertEquals(Map.of("a", 4, "b", 4), perLabel(nodes, out, "zone"));
    assertEquals(4, perNode(out).get("b1"));
    assertEquals(Map.of("a1", 1, "a2", 1, "a3", 1, "a4", 1, "b1", 4), perNode(out));
  }

  @Test
  void nodesWithoutTheLabelShareOneBranch() {
    List<Node> nodes = List.of(node("a1", "zone", "a"), node("x1").build(), node("x2").build());
    List<PlacementDecision> out = schedule(nodes, List.of(), tasks("web", 4, spread("node.labels.zone")));
    assertEquals(Map.of("a", 2, "", 2), perLabel(nodes, out, "zone"));
  }

  @Test
  void twoLevelsSpreadWithinEachOuterValue() {
    List<Node> nodes = List.of(
        node("1", "dc", "east", "rack", "r1"), node("2", "dc", "east", "rack", "r1"),
        node("3", "dc", "east", "rack", "r2"),
        node("4", "dc", "west", "rack", "r1"), node("5", "dc", "west", "rack", "r3"),
        node("6", "dc", "west", "rack", "r3"));
    List<PlacementDecision> out =
        schedule(nodes, List.of(), tasks("web", 8, spread("node.labels.dc", "node.labels.rack")));
    assertEquals(Map.of("east", 4, "west", 4), perLabel(nodes, out, "dc"));
    Map<String, Integer> n = perNode(out);
    // Within east, racks r1 and r2 get 2 each; r1's two go to its two nodes.
    assertEquals(2, n.get("3"));
    assertEquals(1, n.get("1"));
    assertEquals(1, n.get("2"));
    assertEquals(2, n.get("4"));
  }

  @Test
  void existingTasksCountTowardsTheirBranch() {
    List<Node> nodes = List.of(node("a1", "zone", "a"), node("b1", "zone", "b"));
    List<Task> running = List.of(task("r1", "web").setNodeId("a1").build(), task("r2", "web").setNodeId("a1").build());
    List<PlacementDecision> out = schedule(nodes, running, tasks("web", 2, spread("node.labels.zone")));
    assertEquals(Map.of("b1", 2), perNode(out));
  }

  @Test
  void aFullBranchLeavesTheRestToTheOthers() {
    Placement p = spread("node.labels.zone").toBuilder().setMaxReplicasPerNode(1).build();
    List<Node> nodes = List.of(node("a1", "zone", "a"), node("b1", "zone", "b"), node("b2", "zone", "b"),
        node("b3", "zone", "b"));
    List<PlacementDecision> out = schedule(nodes, List.of(), tasks("web", 4, p));
    assertEquals(Map.of("a1", 1, "b1", 1, "b2", 1, "b3", 1), perNode(out));
  }

  @Test
  void maxReplicasPerNodeLeavesTheRestPendingWithAReason() {
    Placement p = Placement.newBuilder().setMaxReplicasPerNode(2).build();
    List<PlacementDecision> out = schedule(List.of(node("a").build(), node("b").build()), List.of(), tasks("web", 5, p));
    assertEquals(Map.of("a", 2, "b", 2), perNode(out));
    assertEquals("no suitable node (2 nodes already run the maximum of 2 tasks of this service per node)",
        out.get(4).explanation());
  }

  @Test
  void binpackFillsOneNodeBeforeTheNext() {
    Placement p = Placement.newBuilder().setStrategy(PlacementStrategy.STRATEGY_BINPACK).build();
    List<Task> pending = tasks("web", 6, p).stream()
        .map(t -> t.toBuilder().setSpec(t.getSpec().toBuilder()
            .setReservations(Resources.newBuilder().setMemoryBytes(Fixtures.GIB))).build())
        .toList();
    List<Node> nodes = List.of(node("a").build(), node("b").build(), node("c").build());
    Map<String, Integer> n = perNode(schedule(nodes, List.of(), pending));
    assertEquals(List.of(2, 4), n.values().stream().sorted().toList());
  }

  @Test
  void binpackPrefersTheFullestNodeThatStillFits() {
    Placement p = Placement.newBuilder().setStrategy(PlacementStrategy.STRATEGY_BINPACK).build();
    List<Node> nodes = List.of(node("a").build(), node("b").build());
    List<Task> running = List.of(Fixtures.task("r", "db", 3 * Fixtures.GIB).toBuilder().setNodeId("b").build());
    Task t = tasks("web", 1, p).get(0);
    Task want = t.toBuilder().setSpec(t.getSpec().toBuilder()
        .setReservations(Resources.newBuilder().setMemoryBytes(Fixtures.GIB / 2))).build();
    assertEquals("b", schedule(nodes, running, List.of(want)).get(0).nodeId());
    Task tooBig = t.toBuilder().setSpec(t.getSpec().toBuilder()
        .setReservations(Resources.newBuilder().setMemoryBytes(2 * Fixtures.GIB))).build();
    assertEquals("a", schedule(nodes, running, List.of(tooBig)).get(0).nodeId());
  }

  @Test
  void spreadByAFieldOtherThanALabel() {
    List<Node> nodes = List.of(node("a").build(),
        node("b").setDescription(node("b").getDescriptionBuilder().setArch("arm64")).build());
    List<PlacementDecision> out = schedule(nodes, List.of(), tasks("web", 4, spread("node.platform.arch")));
    assertTrue(out.stream().allMatch(PlacementDecision::placed));
    assertEquals(Map.of("a", 2, "b", 2), perNode(out));
  }
}
