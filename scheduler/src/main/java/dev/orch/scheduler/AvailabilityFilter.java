package dev.orch.scheduler;

import dev.orch.proto.NodeAvailability;

/** Paused and drained nodes take no new tasks. As cheap as readiness: one enum compare. */
final class AvailabilityFilter implements NodeFilter {
  static final AvailabilityFilter INSTANCE = new AvailabilityFilter();

  @Override
  public boolean accepts(NodeCandidate node) {
    return node.node().getSpec().getAvailability() == NodeAvailability.ACTIVE;
  }

  @Override
  public String explain(int rejectedNodes) {
    return Plural.nodesAre(rejectedNodes) + " not available for new tasks";
  }
}
