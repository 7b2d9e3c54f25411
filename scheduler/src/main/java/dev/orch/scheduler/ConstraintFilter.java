package dev.orch.scheduler;

import dev.orch.scheduler.constraint.Constraint;

/**
 * One constraint of the group's service. Each constraint is its own stage so that an explanation
 * names the constraint that failed: "2 nodes do not match node.labels.zone==eu".
 */
final class ConstraintFilter implements NodeFilter {
  private final Constraint constraint;

  ConstraintFilter(Constraint constraint) {
    this.constraint = constraint;
  }

  @Override
  public boolean accepts(NodeCandidate node) {
    return constraint.matches(node.node());
  }

  @Override
  public String explain(int rejectedNodes) {
    return Plural.nodes(rejectedNodes) + (rejectedNodes == 1 ? " does" : " do") + " not match " + constraint;
  }
}
