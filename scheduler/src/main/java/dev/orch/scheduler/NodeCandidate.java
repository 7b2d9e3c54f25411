package dev.orch.scheduler;

import dev.orch.proto.Node;
import java.util.HashMap;
import java.util.Map;

/**
 * A node as the scheduler sees it during one pass: its object plus the tasks already counted on it
 * (existing ones and those placed earlier in the same pass), so decisions inside a batch see each
 * other. The tie-break is drawn from the pass's seeded random, so equal nodes are ordered the same
 * way whenever the pass is replayed.
 */
public final class NodeCandidate {
  private final Node node;
  private final int tieBreak;
  private final long memoryCapacity;
  private final long cpuCapacity;
  private int totalTasks;
  private final Map<String, Integer> tasksByService = new HashMap<>();
  private long reservedMemory;
  private long reservedNanoCpus;

  public NodeCandidate(Node node, int tieBreak) {
    this.node = node;
    this.tieBreak = tieBreak;
    this.memoryCapacity = node.getDescription().getResources().getMemoryBytes();
    this.cpuCapacity = node.getDescription().getResources().getNanoCpus();
  }

  public Node node() {
    return node;
  }

  public String id() {
    return node.getMeta().getId();
  }

  int tieBreak() {
    return tieBreak;
  }

  public int totalTasks() {
    return totalTasks;
  }

  public int tasksOf(String serviceId) {
    return tasksByService.getOrDefault(serviceId, 0);
  }

  public long reservedMemory() {
    return reservedMemory;
  }

  public long reservedNanoCpus() {
    return reservedNanoCpus;
  }

  long freeMemory() {
    return memoryCapacity - reservedMemory;
  }

  long freeNanoCpus() {
    return cpuCapacity - reservedNanoCpus;
  }

  /** How full the node is, 0 (empty or capacity unknown) to 2 (memory and CPU both reserved). */
  double utilization() {
    double u = 0;
    if (memoryCapacity > 0) {
      u += (double) reservedMemory / memoryCapacity;
    }
    if (cpuCapacity > 0) {
      u += (double) reservedNanoCpus / cpuCapacity;
    }
    return u;
  }

  /** Counts a task as running here: an existing one, or one placed by the current pass. */
  public void add(String serviceId, long memoryReservation, long cpuReservation) {
    totalTasks++;
    tasksByService.merge(serviceId, 1, Integer::sum);
    reservedMemory += memoryReservation;
    reservedNanoCpus += cpuReservation;
  }
}
