package dev.orch.scheduler;

import dev.orch.proto.Node;
import java.util.HashMap;
import java.util.Map;

/**
 * A node as the scheduler sees it during one pass: its object plus the tasks already counted on it
 * (existing ones and those placed earlier in the same pass), so decisions inside a batch see each
 * other.
 */
public final class NodeCandidate {
  private final Node node;
  private int totalTasks;
  private final Map<String, Integer> tasksByService = new HashMap<>();
  private long reservedMemory;
  private long reservedNanoCpus;

  public NodeCandidate(Node node) {
    this.node = node;
  }

  public Node node() {
    return node;
  }

  public String id() {
    return node.getMeta().getId();
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

  /** Counts a task as running here: an existing one, or one placed by the current pass. */
  public void add(String serviceId, long memoryReservation, long cpuReservation) {
    totalTasks++;
    tasksByService.merge(serviceId, 1, Integer::sum);
    reservedMemory += memoryReservation;
    reservedNanoCpus += cpuReservation;
  }
}
