package dev.orch.scheduler;

import static dev.orch.scheduler.Fixtures.GIB;
import static dev.orch.scheduler.Fixtures.MIB;
import static dev.orch.scheduler.Fixtures.node;
import static dev.orch.scheduler.Fixtures.nodeWith;
import static dev.orch.scheduler.Fixtures.perNode;
import static dev.orch.scheduler.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeState;
import dev.orch.proto.Placement;
import dev.orch.proto.Resources;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  private static List<PlacementDecision> schedule(List<Node> nodes, List<Task> running, List<Task> pending) {
    return new Scheduler(new Random(1)).schedule(nodes, running, pending);
  }

  @Test
  void spreadsTasksOfOneServiceEvenly() {
    List<Node> nodes = List.of(node("n0").build(), node("n1").build(), node("n2").build());
    List<Task> pending = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      pending.add(task("t" + i, "web", 0));
    }
    assertEquals(Map.of("n0", 3, "n1", 3, "n2", 3), perNode(schedule(nodes, List.of(), pending)));
  }

  @Test
  void runningTasksOfTheServiceCountForSpread() {
    List<Node> nodes = List.of(node("a").build(), node("b").build());
    List<Task> running = List.of(
        task("r1", "web").setNodeId("a").build(), task("r2", "web").setNodeId("a").build());
    List<Task> pending = List.of(task("t1", "web", 0), task("t2", "web", 0));
    assertEquals(Map.of("b", 2), perNode(schedule(nodes, running, pending)));
  }

  @Test
  void amongEquallySpreadNodesTheLeastLoadedWins() {
    List<Node> nodes = List.of(node("a").build(), node("b").build());
    List<Task> running = List.of(task("other", "db").setNodeId("a").build());
    assertEquals(Map.of("b", 1), perNode(schedule(nodes, running, List.of(task("t", "web", 0)))));
  }

  @Test
  void sameSeedGivesSamePlacement() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      nodes.add(node("n" + i).build());
    }
    List<Task> pending = List.of(task("t1", "s", 0), task("t2", "s", 0), task("t3", "s", 0));
    List<PlacementDecision> first = new Scheduler(new Random(42)).schedule(nodes, List.of(), pending);
    for (int i = 0; i < 5; i++) {
      assertEquals(first, new Scheduler(new Random(42)).schedule(nodes, List.of(), pending));
    }
  }

  @Test
  void explainsEveryRejectionByCount() {
    List<Node> nodes = List.of(
        nodeWith("down", NodeState.NODE_DOWN, NodeAvailability.ACTIVE, GIB),
        nodeWith("drained", NodeState.NODE_READY, NodeAvailability.DRAIN, GIB),
        nodeWith("small1", NodeState.NODE_READY, NodeAvailability.ACTIVE, MIB),
        nodeWith("small2", NodeState.NODE_READY, NodeAvailability.ACTIVE, MIB));
    PlacementDecision p = schedule(nodes, List.of(), List.of(task("t", "s", GIB))).get(0);
    assertFalse(p.placed());
    assertEquals("no suitable node (1 node is not ready; 1 node is not available for new tasks;"
        + " 2 nodes lack 1 GiB of memory)", p.explanation());
  }

  @Test
  void explanationNamesTheConstraintThatFailed() {
    List<Node> nodes = List.of(node("a", "zone", "us"), node("b", "zone", "us"),
        nodeWith("c", NodeState.NODE_DOWN, NodeAvailability.ACTIVE, GIB));
    Task t = task("t", "s").setSpec(task("t", "s").getSpecBuilder()
        .setPlacement(Placement.newBuilder().addConstraints("node.labels.zone==eu"))).build();
    assertEquals("no suitable node (1 node is not ready; 2 nodes do not match node.labels.zone==eu)",
        schedule(nodes, List.of(), List.of(t)).get(0).explanation());
  }

  @Test
  void reservationsAccumulateWithinOnePass() {
    List<Node> nodes = List.of(nodeWith("n", NodeState.NODE_READY, NodeAvailability.ACTIVE, 3 * MIB));
    List<PlacementDecision> out = schedule(nodes, List.of(), List.of(task("a", "s", 2 * MIB), task("b", "s", 2 * MIB)));
    assertTrue(out.get(0).placed());
    assertFalse(out.get(1).placed());
    assertEquals("no suitable node (1 node lacks 2 MiB of memory)", out.get(1).explanation());
  }

  @Test
  void reservationsOfRunningTasksAreTakenFirst() {
    List<Node> nodes = List.of(nodeWith("n", NodeState.NODE_READY, NodeAvailability.ACTIVE, 3 * MIB));
    Task running = task("r", "other", 2 * MIB).toBuilder().setNodeId("n").build();
    assertFalse(schedule(nodes, List.of(running), List.of(task("a", "s", 2 * MIB))).get(0).placed());
  }

  @Test
  void cpuReservationsAreChecked() {
    Task t = task("t", "s").setSpec(task("t", "s").getSpecBuilder()
        .setReservations(Resources.newBuilder().setNanoCpus(2_500_000_000L))).build();
    Task t2 = t.toBuilder().setMeta(t.getMeta().toBuilder().setId("t2")).build();
    List<PlacementDecision> out = schedule(List.of(node("n").build()), List.of(), List.of(t, t2));
    assertTrue(out.get(0).placed());
    assertEquals("no suitable node (1 node lacks 2.5 CPUs)", out.get(1).explanation());
  }

  @Test
  void decisionsComeBackInTheCallersOrderAcrossGroups() {
    List<Task> pending = List.of(task("a1", "a", 0), task("b1", "b", 0), task("a2", "a", 0), task("b2", "b", 0));
    List<PlacementDecision> out = schedule(List.of(node("n").build()), List.of(), pending);
    assertEquals(List.of("a1", "b1", "a2", "b2"), out.stream().map(PlacementDecision::taskId).toList());
  }

  @Test
  void emptyClusterSaysSo() {
    PlacementDecision p = schedule(List.of(), List.of(), List.of(task("t", "s", 0))).get(0);
    assertEquals("no suitable node (the cluster has no nodes)", p.explanation());
  }

  @Test
  void aStoredInvalidConstraintIsReportedNotGuessed() {
    Task t = task("t", "s").setSpec(task("t", "s").getSpecBuilder()
        .setPlacement(Placement.newBuilder().addConstraints("node.colour==red"))).build();
    PlacementDecision p = schedule(List.of(node("n").build()), List.of(), List.of(t)).get(0);
    assertFalse(p.placed());
    assertTrue(p.explanation().startsWith("invalid placement: invalid constraint \"node.colour==red\""),
        p.explanation());
  }
}
