package dev.orch.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Kernel names of what the node creates, at most 15 characters, derived from ids by hash so that
 * any id fits and a later run (or the startup sweep) finds them again: {@code ob} + 10 hex for a
 * network's bridge, {@code ov} + 10 hex for its VXLAN device, {@code oh} + 8 hex of the container +
 * 5 hex of the network for the host end of a container's veth.
 */
final class LinkNames {
  static final String BRIDGE = "ob";
  static final String VXLAN = "ov";
  static final String VETH = "oh";

  private LinkNames() {}

  static String bridge(String networkId) {
    return BRIDGE + hash(networkId, 10);
  }

  static String vxlan(String networkId) {
    return VXLAN + hash(networkId, 10);
  }

  static String veth(String containerId, String networkId) {
    return VETH + hash(containerId, 8) + hash(networkId, 5);
  }

  static String vethPrefix(String containerId) {
    return VETH + hash(containerId, 8);
  }

  static String hash(String id, int hexChars) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, hexChars);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
