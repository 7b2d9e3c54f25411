package dev.orch.scheduler;

/** The CPU reservation must fit in what the node has left after the tasks counted on it. */
final class CpuReservationFilter implements NodeFilter {
  private final long wantedNanoCpus;

  CpuReservationFilter(long wantedNanoCpus) {
    this.wantedNanoCpus = wantedNanoCpus;
  }

  @Override
  public boolean accepts(NodeCandidate node) {
    return node.freeNanoCpus() >= wantedNanoCpus;
  }

  @Override
  public String explain(int rejectedNodes) {
    return Plural.nodes(rejectedNodes) + (rejectedNodes == 1 ? " lacks " : " lack ")
        + Plural.cpus(wantedNanoCpus);
  }
}
