package dev.orch.net;

import java.nio.file.Path;
import java.util.List;

/**
 * A container's endpoints, attached in one go so that the container is never half connected.
 *
 * @param containerId the id the attachment is known by (the task id); detach uses it
 * @param netns the container's network namespace, e.g. {@code /proc/PID/ns/net} or a bind mount
 *     such as {@code /run/netns/NAME}
 * @param endpoints one per network, in order; the first one on a non-internal network carries the
 *     default route (via that network's gateway)
 */
public record ContainerAttachment(String containerId, Path netns, List<ContainerEndpoint> endpoints) {

  public ContainerAttachment {
    endpoints = List.copyOf(endpoints);
    if (endpoints.stream().map(ContainerEndpoint::interfaceName).distinct().count() != endpoints.size()) {
      throw new IllegalArgumentException("container " + containerId + " has two endpoints with one interface name");
    }
  }
}
