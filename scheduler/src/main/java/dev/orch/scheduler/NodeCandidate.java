package dev.orch.scheduler;

import dev.orch.proto.Node;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PortProtocol;
import dev.orch.proto.PublishMode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
  private Set<String> hostPorts;  // created on first use: most nodes publish no host-mode port

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

  /** Counts the host-mode ports among {@code ports} as bound on this node. */
  public void addHostPorts(List<PortConfig> ports) {
    for (PortConfig p : ports) {
      if (p.getMode() == PublishMode.PUBLISH_HOST) {
        if (hostPorts == null) {
          hostPorts = new HashSet<>();
        }
        hostPorts.add(portKey(p));
      }
    }
  }

  /** Whether a task here already publishes {@code p} on the node. */
  public boolean publishesHostPort(PortConfig p) {
    return hostPorts != null && hostPorts.contains(portKey(p));
  }

  static String portKey(PortConfig p) {
    return p.getPublished() + "/" + (p.getProtocol() == PortProtocol.PROTO_UDP ? "udp" : "tcp");
  }
}
