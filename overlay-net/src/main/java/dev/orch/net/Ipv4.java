package dev.orch.net;

/** Dotted-quad IPv4 text to and from an int, and the MAC address an endpoint address maps to. */
public final class Ipv4 {
  private Ipv4() {}

  public static int parse(String text) {
    String[] parts = text == null ? new String[0] : text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 address; write it as A.B.C.D, e.g. 10.0.0.2");
    }
    int value = 0;
    for (String part : parts) {
      int octet;
      try {
        octet = part.isEmpty() || part.length() > 3 ? -1 : Integer.parseInt(part);
      } catch (NumberFormatException e) {
        octet = -1;
      }
      if (octet < 0 || octet > 255) {
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: each part must be 0..255");
      }
      value = value << 8 | octet;
    }
    return value;
  }

  public static String format(int ip) {
    return (ip >>> 24) + "." + (ip >>> 16 & 255) + "." + (ip >>> 8 & 255) + "." + (ip & 255);
  }

  /**
   * The MAC address of an endpoint with address {@code ip}: locally administered {@code 02:42} and
   * the four address bytes, so that every node derives the same MAC for an address and the
   * allocator never stores one.
   */
  public static String macFor(String ip) {
    int v = parse(ip);
    return String.format("02:42:%02x:%02x:%02x:%02x", v >>> 24, v >>> 16 & 255, v >>> 8 & 255, v & 255);
  }
}
