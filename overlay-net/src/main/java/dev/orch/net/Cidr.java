package dev.orch.net;

/**
 * An IPv4 prefix such as {@code 10.0.3.0/24}. The address is kept as an int (unsigned) so that
 * IPAM works on bitmaps and arithmetic instead of strings.
 *
 * @param address the network address, host bits zero
 * @param prefix the prefix length, 0..32
 */
public record Cidr(int address, int prefix) {

  public Cidr {
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("prefix length " + prefix + " is outside 0..32");
    }
    if ((address & ~mask(prefix)) != 0) {
      throw new IllegalArgumentException(Ipv4.format(address) + "/" + prefix + " has host bits set; use "
          + Ipv4.format(address & mask(prefix)) + "/" + prefix);
    }
  }

  /** Parses {@code A.B.C.D/N}; the message of the exception names the problem and the fix. */
  public static Cidr parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a subnet; write it as ADDRESS/PREFIX, e.g. 10.0.0.0/24");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no prefix length after '/'; e.g. 10.0.0.0/24");
    }
    return new Cidr(Ipv4.parse(text.substring(0, slash)), prefix);
  }

  static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  /** Number of addresses, network and broadcast included. */
  public long size() {
    return 1L << (32 - prefix);
  }

  /** First address as an unsigned value. */
  public long first() {
    return Integer.toUnsignedLong(address);
  }

  /** Last (broadcast) address as an unsigned value. */
  public long last() {
    return first() + size() - 1;
  }

  public boolean contains(int ip) {
    long v = Integer.toUnsignedLong(ip);
    return v >= first() && v <= last();
  }

  public boolean contains(Cidr other) {
    return other.first() >= first() && other.last() <= last();
  }

  public boolean overlaps(Cidr other) {
    return other.first() <= last() && other.last() >= first();
  }

  /** The {@code index}-th address of this prefix (0 is the network address). */
  public int addressAt(long index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException(index + " is outside " + this);
    }
    return (int) (first() + index);
  }

  /** The offset of {@code ip} inside this prefix. */
  public long indexOf(int ip) {
    if (!contains(ip)) {
      throw new IllegalArgumentException(Ipv4.format(ip) + " is not inside " + this);
    }
    return Integer.toUnsignedLong(ip) - first();
  }

  @Override
  public String toString() {
    return Ipv4.format(address) + "/" + prefix;
  }
}
