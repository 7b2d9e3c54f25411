package dev.orch.scheduler;

/** {@code --replicas-max-per-node}: a node that runs that many tasks of the service takes no more. */
final class MaxReplicasFilter implements NodeFilter {
  private final String serviceId;
  private final long max;

  MaxReplicasFilter(String serviceId, long max) {
    this.serviceId = serviceId;
    this.max = max;
  }

  @Override
  public boolean accepts(NodeCandidate node) {
    return node.tasksOf(serviceId) < max;
  }

  @Override
  public String explain(int rejectedNodes) {
    return Plural.nodes(rejectedNodes) + " already " + (rejectedNodes == 1 ? "runs" : "run")
        + " the maximum of " + max + (max == 1 ? " task" : " tasks") + " of this service per node";
  }
}
