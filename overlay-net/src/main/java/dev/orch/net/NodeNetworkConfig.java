package dev.orch.net;

import java.nio.file.Path;

/**
 * Where a node's networking lives.
 *
 * @param underlayAddress the node's address that other nodes reach it at; VXLAN packets leave from
 *     it, and its interface's MTU minus 50 is the overlay MTU
 * @param netns the network namespace the node's devices and rules go in, {@code null} for the one
 *     this process runs in (orchd's: the host's, or the node's namespace on the test bed)
 * @param vxlanPort the UDP port of VXLAN (4789)
 */
public record NodeNetworkConfig(String underlayAddress, Path netns, int vxlanPort) {
  public static final int VXLAN_PORT = 4789;
  /** Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 bytes. */
  public static final int VXLAN_OVERHEAD = 50;

  public NodeNetworkConfig {
    Ipv4.parse(underlayAddress);
  }

  public static NodeNetworkConfig of(String underlayAddress) {
    return new NodeNetworkConfig(underlayAddress, null, VXLAN_PORT);
  }
}
