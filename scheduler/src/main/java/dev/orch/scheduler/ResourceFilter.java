package dev.orch.scheduler;

import dev.orch.proto.Resources;
import dev.orch.proto.Task;

/** Reservations must fit in what the node has left after the tasks already counted on it. */
final class ResourceFilter implements NodeFilter {
  private long lastMissingMemory;
  private long lastMissingCpu;

  @Override
  public boolean accepts(NodeCandidate node, Task task) {
    Resources want = task.getSpec().getReservations();
    Resources has = node.node().getDescription().getResources();
    boolean memoryOk =
        want.getMemoryBytes() == 0
            || has.getMemoryBytes() - node.reservedMemory() >= want.getMemoryBytes();
    boolean cpuOk =
        want.getNanoCpus() == 0
            || has.getNanoCpus() - node.reservedNanoCpus() >= want.getNanoCpus();
    if (!memoryOk) {
      lastMissingMemory = want.getMemoryBytes();
    }
    if (!cpuOk) {
      lastMissingCpu = want.getNanoCpus();
    }
    return memoryOk && cpuOk;
  }

  @Override
  public String explain(int rejectedNodes) {
    StringBuilder what = new StringBuilder();
    if (lastMissingMemory > 0) {
      what.append(Plural.bytes(lastMissingMemory)).append(" of memory");
    }
    if (lastMissingCpu > 0) {
      if (what.length() > 0) {
        what.append(" or ");
      }
      what.append(lastMissingCpu / 1e9).append(" CPUs");
    }
    return (rejectedNodes == 1 ? "1 node lacks " : rejectedNodes + " nodes lack ") + what;
  }
}
