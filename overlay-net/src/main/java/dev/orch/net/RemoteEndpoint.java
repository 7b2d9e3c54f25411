package dev.orch.net;

/**
 * An endpoint of a network on another node: programmed as a static FDB entry (MAC to node) and a
 * static neighbour entry (address to MAC) on the network's VXLAN device.
 *
 * @param ip the endpoint's address on the overlay
 * @param mac its MAC address (see {@link Ipv4#macFor})
 * @param nodeAddress the underlay address of the node it lives on
 */
public record RemoteEndpoint(String ip, String mac, String nodeAddress) {

  /** An endpoint whose MAC follows the {@link Ipv4#macFor} convention. */
  public static RemoteEndpoint of(String ip, String nodeAddress) {
    return new RemoteEndpoint(ip, Ipv4.macFor(ip), nodeAddress);
  }
}
