package dev.orch.net;

/**
 * One interface of a container on one network.
 *
 * @param networkId the network, which {@link NodeNetworks#ensureNetwork} must have set up
 * @param ip the container's address (prefix length is the network's)
 * @param mac its MAC address (see {@link Ipv4#macFor})
 * @param interfaceName the name inside the container, e.g. {@code eth0} (at most 15 characters)
 */
public record ContainerEndpoint(String networkId, String ip, String mac, String interfaceName) {

  public ContainerEndpoint {
    if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() > 15
        || !interfaceName.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("interface name '" + interfaceName
          + "' must be 1..15 letters, digits, '_', '.' or '-'");
    }
    Ipv4.parse(ip);
  }

  public static ContainerEndpoint of(String networkId, String ip, String interfaceName) {
    return new ContainerEndpoint(networkId, ip, Ipv4.macFor(ip), interfaceName);
  }
}
