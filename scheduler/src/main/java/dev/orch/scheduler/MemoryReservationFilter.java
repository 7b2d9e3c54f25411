package dev.orch.scheduler;

/** The memory reservation must fit in what the node has left after the tasks counted on it. */
final class MemoryReservationFilter implements NodeFilter {
  private final long wanted;

  MemoryReservationFilter(long wanted) {
    this.wanted = wanted;
  }

  @Override
  public boolean accepts(NodeCandidate node) {
    return node.freeMemory() >= wanted;
  }

  @Override
  public String explain(int rejectedNodes) {
    return Plural.nodes(rejectedNodes) + (rejectedNodes == 1 ? " lacks " : " lack ")
        + Plural.bytes(wanted) + " of memory";
  }
}
