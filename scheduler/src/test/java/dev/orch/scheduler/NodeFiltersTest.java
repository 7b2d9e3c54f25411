package dev.orch.scheduler;

import static dev.orch.scheduler.Fixtures.CPU;
import static dev.orch.scheduler.Fixtures.GIB;
import static dev.orch.scheduler.Fixtures.MIB;
import static dev.orch.scheduler.Fixtures.node;
import static dev.orch.scheduler.Fixtures.nodeWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeState;
import dev.orch.scheduler.constraint.Constraint;
import org.junit.jupiter.api.Test;

/** Each stage on its own: what it accepts and how it words a count of rejections. */
class NodeFiltersTest {
  private static NodeCandidate candidate(dev.orch.proto.Node n) {
    return new NodeCandidate(n, 0);
  }

  @Test
  void readyFilterAcceptsOnlyReadyNodes() {
    NodeFilter f = ReadyNodeFilter.INSTANCE;
    assertTrue(f.accepts(candidate(node("a").build())));
    for (NodeState s : new NodeState[] {NodeState.NODE_DOWN, NodeState.NODE_UNKNOWN, NodeState.NODE_DISCONNECTED}) {
      assertFalse(f.accepts(candidate(nodeWith("a", s, NodeAvailability.ACTIVE, GIB))));
    }
    assertEquals("1 node is not ready", f.explain(1));
    assertEquals("3 nodes are not ready", f.explain(3));
  }

  @Test
  void availabilityFilterRefusesPausedAndDrainedNodes() {
    NodeFilter f = AvailabilityFilter.INSTANCE;
    assertTrue(f.accepts(candidate(node("a").build())));
    assertFalse(f.accepts(candidate(nodeWith("a", NodeState.NODE_READY, NodeAvailability.PAUSE, GIB))));
    assertFalse(f.accepts(candidate(nodeWith("a", NodeState.NODE_READY, NodeAvailability.DRAIN, GIB))));
    assertEquals("2 nodes are not available for new tasks", f.explain(2));
  }

  @Test
  void constraintFilterNamesItsConstraint() {
    NodeFilter f = new ConstraintFilter(Constraint.parse("node.labels.zone == eu"));
    assertTrue(f.accepts(candidate(node("a", "zone", "eu"))));
    assertFalse(f.accepts(candidate(node("a", "zone", "us"))));
    assertEquals("1 node does not match node.labels.zone==eu", f.explain(1));
    assertEquals("2 nodes do not match node.labels.zone==eu", f.explain(2));
  }

  @Test
  void memoryFilterCountsWhatIsAlreadyReserved() {
    NodeCandidate n = candidate(node("a").build()); // 4 GiB
    NodeFilter f = new MemoryReservationFilter(GIB);
    assertTrue(f.accepts(n));
    n.add("s", 3 * GIB, 0);
    assertTrue(f.accepts(n));
    n.add("s", 512 * MIB, 0);
    assertFalse(f.accepts(n));
    assertEquals("3 nodes lack 1 GiB of memory", f.explain(3));
    assertEquals("1 node lacks 512 MiB of memory", new MemoryReservationFilter(512 * MIB).explain(1));
  }

  @Test
  void cpuFilterCountsWhatIsAlreadyReserved() {
    NodeCandidate n = candidate(node("a").build()); // 4 CPUs
    NodeFilter f = new CpuReservationFilter(CPU);
    n.add("s", 0, 3 * CPU);
    assertTrue(f.accepts(n));
    n.add("s", 0, CPU / 2);
    assertFalse(f.accepts(n));
    assertEquals("2 nodes lack 1 CPU", f.explain(2));
    assertEquals("1 node lacks 0.25 CPUs", new CpuReservationFilter(CPU / 4).explain(1));
  }

  @Test
  void maxReplicasFilterCountsOnlyTheService() {
    NodeCandidate n = candidate(node("a").build());
    NodeFilter f = new MaxReplicasFilter("web", 2);
    n.add("db", 0, 0);
    n.add("web", 0, 0);
    assertTrue(f.accepts(n));
    n.add("web", 0, 0);
    assertFalse(f.accepts(n));
    assertEquals("4 nodes already run the maximum of 2 tasks of this service per node", f.explain(4));
    assertEquals("1 node already runs the maximum of 1 task of this service per node",
        new MaxReplicasFilter("web", 1).explain(1));
  }
}
