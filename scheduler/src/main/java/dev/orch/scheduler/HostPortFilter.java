package dev.orch.scheduler;

import dev.orch.proto.PortConfig;
import java.util.List;

/**
 * Host-mode published ports: a node where a task (running, or placed earlier in this pass) already
 * publishes one of the group's ports cannot take another, since both would bind the same node port.
 */
final class HostPortFilter implements NodeFilter {
  private final List<PortConfig> ports;

  HostPortFilter(List<PortConfig> ports) {
    this.ports = ports;
  }

  @Override
  public boolean accepts(NodeCandidate node) {
    for (PortConfig p : ports) {
      if (node.publishesHostPort(p)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String explain(int rejectedNodes) {
    StringBuilder list = new StringBuilder();
    for (PortConfig p : ports) {
      list.append(list.length() == 0 ? "" : ", ").append(NodeCandidate.portKey(p));
    }
    return Plural.nodes(rejectedNodes) + " already " + (rejectedNodes == 1 ? "publishes" : "publish")
        + " host port " + list;
  }
}
