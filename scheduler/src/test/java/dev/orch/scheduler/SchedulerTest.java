package dev.orch.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.Resources;
import dev.orch.proto.Task;
import dev.orch.proto.TaskSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  private static Node node(String id, NodeState state, NodeAvailability availability, long memory) {
    return Node.newBuilder()
        .setMeta(Meta.newBuilder().setId(id))
        .setSpec(NodeSpec.newBuilder().setAvailability(availability))
        .setStatus(NodeStatus.newBuilder().setState(state))
        .setDescription(
            NodeDescription.newBuilder()
                .setResources(Resources.newBuilder().setMemoryBytes(memory).setNanoCpus(2_000_000_000L)))
        .build();
  }

  private static Task task(String id, String service, long memoryReservation) {
    return Task.newBuilder()
        .setMeta(Meta.newBuilder().setId(id))
        .setServiceId(service)
        .setSpec(
            TaskSpec.newBuilder()
                .setReservations(Resources.newBuilder().setMemoryBytes(memoryReservation)))
        .build();
  }

  @Test
  void spreadsTasksOfOneServiceEvenly() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(node("n" + i, NodeState.NODE_READY, NodeAvailability.ACTIVE, 1L << 30));
    }
    List<Task> pending = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      pending.add(task("t" + i, "web", 0));
    }
    List<Placement> out = new Scheduler(new Random(1)).schedule(nodes, List.of(), pending);
    Map<String, Integer> perNode = new HashMap<>();
    out.forEach(p -> perNode.merge(p.nodeId(), 1, Integer::sum));
    assertEquals(Map.of("n0", 3, "n1", 3, "n2", 3), perNode);
  }

  @Test
  void sameSeedGivesSamePlacement() {
    List<Node> nodes =
        List.of(
            node("a", NodeState.NODE_READY, NodeAvailability.ACTIVE, 0),
            node("b", NodeState.NODE_READY, NodeAvailability.ACTIVE, 0));
    List<Task> pending = List.of(task("t1", "s", 0));
    String first = new Scheduler(new Random(42)).schedule(nodes, List.of(), pending).get(0).nodeId();
    for (int i = 0; i < 5; i++) {
      assertEquals(
          first, new Scheduler(new Random(42)).schedule(nodes, List.of(), pending).get(0).nodeId());
    }
  }

  @Test
  void explainsEveryRejectionByCount() {
    List<Node> nodes =
        List.of(
            node("down", NodeState.NODE_DOWN, NodeAvailability.ACTIVE, 1L << 30),
            node("drained", NodeState.NODE_READY, NodeAvailability.DRAIN, 1L << 30),
            node("small1", NodeState.NODE_READY, NodeAvailability.ACTIVE, 1L << 20),
            node("small2", NodeState.NODE_READY, NodeAvailability.ACTIVE, 1L << 20));
    Placement p =
        new Scheduler(new Random(1)).schedule(nodes, List.of(), List.of(task("t", "s", 1L << 30))).get(0);
    assertFalse(p.placed());
    assertEquals(
        "no suitable node (1 node is not ready; 1 node is not available for new tasks;"
            + " 2 nodes lack 1 GiB of memory)",
        p.explanation());
  }

  @Test
  void reservationsAccumulateWithinOnePass() {
    List<Node> nodes = List.of(node("n", NodeState.NODE_READY, NodeAvailability.ACTIVE, 3L << 20));
    List<Task> pending = List.of(task("a", "s", 2L << 20), task("b", "s", 2L << 20));
    List<Placement> out = new Scheduler(new Random(1)).schedule(nodes, List.of(), pending);
    assertTrue(out.get(0).placed());
    assertFalse(out.get(1).placed());
  }

  @Test
  void emptyClusterSaysSo() {
    Placement p = new Scheduler(new Random(1)).schedule(List.of(), List.of(), List.of(task("t", "s", 0))).get(0);
    assertEquals("no suitable node (the cluster has no nodes)", p.explanation());
  }
}
