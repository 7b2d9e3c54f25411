package dev.orch.scheduler;

import dev.orch.proto.NodeAvailability;
import dev.orch.proto.Task;

/** Paused and drained nodes take no new tasks. */
final class AvailabilityFilter implements NodeFilter {
  @Override
  public boolean accepts(NodeCandidate node, Task task) {
    return node.node().getSpec().getAvailability() == NodeAvailability.ACTIVE;
  }

  @Override
  public String explain(int rejectedNodes) {
    return Plural.nodes(rejectedNodes) + " not available for new tasks";
  }
}
