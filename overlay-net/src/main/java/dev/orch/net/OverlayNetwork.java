package dev.orch.net;

/**
 * A network as a node programs it.
 *
 * @param id the network id (the kernel names derive from it)
 * @param vni the VXLAN id; 0 makes a node-local network (bridge driver): a bridge without VXLAN
 * @param subnet the subnet
 * @param gateway the gateway address; the node's bridge holds it, and the embedded DNS listens on it
 * @param internal no route out: no outbound NAT, no forwarding to or from other interfaces
 * @param nodeAddress this node's own address on the network ({@code null} when it has none); required
 *     on the ingress network, where the routing mesh uses it as the source of the connections it
 *     forwards to other nodes' tasks so that replies return through this node
 */
public record OverlayNetwork(String id, int vni, Cidr subnet, String gateway, boolean internal, String nodeAddress) {

  public OverlayNetwork {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("network id is empty");
    }
    if (vni < 0 || vni > VniPool.MAX) {
      throw new IllegalArgumentException("VXLAN id " + vni + " is outside 0.." + VniPool.MAX);
    }
    if (!subnet.contains(Ipv4.parse(gateway))) {
      throw new IllegalArgumentException("gateway " + gateway + " is not inside " + subnet);
    }
    if (nodeAddress != null && !subnet.contains(Ipv4.parse(nodeAddress))) {
      throw new IllegalArgumentException("node address " + nodeAddress + " is not inside " + subnet);
    }
  }
}
