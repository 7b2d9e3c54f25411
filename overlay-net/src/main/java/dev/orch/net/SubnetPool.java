package dev.orch.net;

import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * Subnets carved out of an address pool. The pool is cut into blocks of one default size (a /24 of
 * 10.0.0.0/8 by default); a bitmap marks the blocks in use, so the next free subnet is one
 * {@link BitSet#nextClearBit} away. Subnets the user asks for may have any size and may lie outside
 * the pool; every subnet in use, whatever its origin, is also kept ordered by start so overlaps are
 * refused in O(log n). A block is in use while any subnet in use touches it. Not thread-safe: one
 * owner (the allocator thread).
 */
public final class SubnetPool {
  private final Cidr pool;
  private final int subnetPrefix;
  private final int blocks;
  private final BitSet used;
  private final TreeMap<Long, Cidr> byStart = new TreeMap<>();
  private int cursor;

  public SubnetPool(Cidr pool, int subnetPrefix) {
    if (subnetPrefix < pool.prefix() || subnetPrefix > 30) {
      throw new IllegalArgumentException("subnet size /" + subnetPrefix + " must be between the pool's /" + pool.prefix()
          + " and /30");
    }
    if (subnetPrefix - pool.prefix() > 24) {
      throw new IllegalArgumentException("pool " + pool + " split in /" + subnetPrefix
          + " gives more than 2^24 subnets; use a larger subnet size");
    }
    this.pool = pool;
    this.subnetPrefix = subnetPrefix;
    this.blocks = 1 << (subnetPrefix - pool.prefix());
    this.used = new BitSet(blocks);
  }

  public Cidr pool() {
    return pool;
  }

  public int subnetPrefix() {
    return subnetPrefix;
  }

  /** The next free block of the pool, searching on from the last one handed out. */
  public Cidr allocateNext() throws IpamException {
    int i = used.nextClearBit(cursor);
    if (i >= blocks) {
      i = used.nextClearBit(0);
    }
    if (i >= blocks) {
      throw new IpamException("address pool " + pool + " has no free /" + subnetPrefix
          + " left; remove unused networks or configure a larger pool");
    }
    Cidr subnet = block(i);
    add(subnet);
    cursor = i + 1;
    return subnet;
  }

  /** Takes {@code subnet} exactly, inside or outside the pool, unless it overlaps one in use. */
  public void allocate(Cidr subnet) throws IpamException {
    Cidr clash = overlapping(subnet);
    if (clash != null) {
      throw new IpamException("subnet " + subnet + " overlaps " + clash + ", which is in use; choose another subnet");
    }
    add(subnet);
  }

  public void release(Cidr subnet) throws IpamException {
    Cidr held = byStart.get(subnet.first());
    if (held == null || !held.equals(subnet)) {
      throw new IpamException("subnet " + subnet + " is not allocated");
    }
    byStart.remove(subnet.first());
    forBlocks(subnet, (i, b) -> {
      if (overlapping(b) == null) {
        used.clear(i);
      }
    });
  }

  public boolean isAllocated(Cidr subnet) {
    return subnet.equals(byStart.get(subnet.first()));
  }

  /** Subnets in use, ordered by address. */
  public Map<Long, Cidr> allocated() {
    return java.util.Collections.unmodifiableMap(byStart);
  }

  private void add(Cidr subnet) {
    byStart.put(subnet.first(), subnet);
    forBlocks(subnet, (i, b) -> used.set(i));
  }

  private Cidr overlapping(Cidr subnet) {
    Map.Entry<Long, Cidr> e = byStart.floorEntry(subnet.last());
    return e != null && e.getValue().last() >= subnet.first() ? e.getValue() : null;
  }

  private Cidr block(int i) {
    return new Cidr(pool.addressAt((long) i << (32 - subnetPrefix)), subnetPrefix);
  }

  private interface BlockVisitor {
    void visit(int index, Cidr block);
  }

  private void forBlocks(Cidr subnet, BlockVisitor visitor) {
    if (!pool.overlaps(subnet)) {
      return;
    }
    long from = Math.max(subnet.first(), pool.first()) - pool.first();
    long to = Math.min(subnet.last(), pool.last()) - pool.first();
    int shift = 32 - subnetPrefix;
    for (long i = from >>> shift; i <= to >>> shift; i++) {
      visitor.visit((int) i, block((int) i));
    }
  }
}
