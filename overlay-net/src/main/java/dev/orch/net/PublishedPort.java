package dev.orch.net;

import java.util.List;

/**
 * A port published on the node.
 *
 * @param protocol {@code tcp} or {@code udp}
 * @param publishedPort the port on the node's addresses
 * @param targetPort the port of the tasks
 * @param mode {@link Mode#INGRESS}: every node answers and forwards to any task over the ingress
 *     network (the routing mesh); {@link Mode#HOST}: only this node's tasks, on the nodes running one
 * @param backends task addresses: for ingress all tasks' addresses on the ingress network, for host
 *     mode the addresses of this node's tasks
 */
public record PublishedPort(String protocol, int publishedPort, int targetPort, Mode mode, List<String> backends) {

  public enum Mode { INGRESS, HOST }

  public PublishedPort {
    if (!"tcp".equals(protocol) && !"udp".equals(protocol)) {
      throw new IllegalArgumentException("protocol '" + protocol + "' must be tcp or udp");
    }
    if (publishedPort < 1 || publishedPort > 65535 || targetPort < 1 || targetPort > 65535) {
      throw new IllegalArgumentException("ports must be 1..65535, got " + publishedPort + ":" + targetPort);
    }
    backends = List.copyOf(backends);
    backends.forEach(Ipv4::parse);
  }
}
