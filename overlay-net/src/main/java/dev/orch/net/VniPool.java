package dev.orch.net;

import java.util.BitSet;

/**
 * VXLAN network identifiers. The default range 4096..16777215 leaves the low VNIs to whatever else
 * runs on the hosts. A bitmap (it grows only as far as VNIs are used); next-fit. Not thread-safe.
 */
public final class VniPool {
  public static final int DEFAULT_MIN = 4096;
  public static final int MAX = (1 << 24) - 1;

  private final int min;
  private final int max;
  private final BitSet used = new BitSet();
  private int cursor;

  public VniPool() {
    this(DEFAULT_MIN, MAX);
  }

  public VniPool(int min, int max) {
    if (min < 1 || max > MAX || min > max) {
      throw new IllegalArgumentException("VNI range " + min + ".." + max + " must lie within 1.." + MAX);
    }
    this.min = min;
    this.max = max;
  }

  public int allocateNext() throws IpamException {
    int span = max - min + 1;
    int i = used.nextClearBit(cursor);
    if (i >= span) {
      i = used.nextClearBit(0);
    }
    if (i >= span) {
      throw new IpamException("no free VXLAN id in " + min + ".." + max + "; remove unused overlay networks");
    }
    used.set(i);
    cursor = i + 1;
    return min + i;
  }

  public void allocate(int vni) throws IpamException {
    check(vni);
    if (used.get(vni - min)) {
      throw new IpamException("VXLAN id " + vni + " is already in use");
    }
    used.set(vni - min);
  }

  public void release(int vni) throws IpamException {
    check(vni);
    if (!used.get(vni - min)) {
      throw new IpamException("VXLAN id " + vni + " is not allocated");
    }
    used.clear(vni - min);
  }

  public boolean isAllocated(int vni) {
    return vni >= min && vni <= max && used.get(vni - min);
  }

  private void check(int vni) throws IpamException {
    if (vni < min || vni > max) {
      throw new IpamException("VXLAN id " + vni + " is outside " + min + ".." + max);
    }
  }
}
