package dev.orch.net;

import java.util.BitSet;

/**
 * The addresses of one subnet: a bitmap with the network, gateway and broadcast addresses reserved.
 * Endpoint addresses and virtual IPs come from the same bitmap. Allocation searches on from the
 * last address handed out, so a freed address is not reused at once (stale connection-tracking and
 * DNS entries then point nowhere rather than at a new task). Not thread-safe.
 */
public final class SubnetAddresses {
  private final Cidr subnet;
  private final int gateway;
  private final BitSet used;
  private final int size;
  private int cursor;
  private int count;

  public SubnetAddresses(Cidr subnet, int gateway) {
    if (subnet.prefix() > 30) {
      throw new IllegalArgumentException("subnet " + subnet + " is too small; use /30 or larger");
    }
    if (!subnet.contains(gateway) || gateway == subnet.address() || subnet.indexOf(gateway) == subnet.size() - 1) {
      throw new IllegalArgumentException("gateway " + Ipv4.format(gateway) + " must be a host address of " + subnet);
    }
    this.subnet = subnet;
    this.gateway = gateway;
    this.size = (int) subnet.size();
    this.used = new BitSet(size);
    used.set(0);
    used.set(size - 1);
    used.set((int) subnet.indexOf(gateway));
  }

  public Cidr subnet() {
    return subnet;
  }

  public int gateway() {
    return gateway;
  }

  /** Addresses handed out (reserved ones not counted). */
  public int inUse() {
    return count;
  }

  public int allocateNext() throws IpamException {
    int i = used.nextClearBit(cursor);
    if (i >= size) {
      i = used.nextClearBit(0);
    }
    if (i >= size) {
      throw new IpamException("subnet " + subnet + " has no free address; use a larger subnet for this network");
    }
    used.set(i);
    cursor = i + 1;
    count++;
    return subnet.addressAt(i);
  }

  public void allocate(int ip) throws IpamException {
    int i = index(ip);
    if (i == 0 || i == size - 1 || ip == gateway) {
      throw new IpamException(Ipv4.format(ip) + " is the network, broadcast or gateway address of " + subnet
          + "; choose another address");
    }
    if (used.get(i)) {
      throw new IpamException(Ipv4.format(ip) + " is already in use in " + subnet);
    }
    used.set(i);
    count++;
  }

  public void release(int ip) throws IpamException {
    int i = index(ip);
    if (i == 0 || i == size - 1 || ip == gateway || !used.get(i)) {
      throw new IpamException(Ipv4.format(ip) + " is not allocated in " + subnet);
    }
    used.clear(i);
    count--;
  }

  public boolean isAllocated(int ip) {
    return subnet.contains(ip) && ip != gateway && used.get((int) subnet.indexOf(ip))
        && subnet.indexOf(ip) != 0 && subnet.indexOf(ip) != size - 1;
  }

  private int index(int ip) throws IpamException {
    if (!subnet.contains(ip)) {
      throw new IpamException(Ipv4.format(ip) + " is not inside " + subnet);
    }
    return (int) subnet.indexOf(ip);
  }
}
