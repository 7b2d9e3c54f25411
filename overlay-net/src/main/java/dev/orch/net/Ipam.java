package dev.orch.net;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Address management for the whole cluster, keyed by network id: subnets from the address pool,
 * VXLAN ids, and per network the endpoint addresses and virtual IPs (a VIP is just an address of the
 * subnet). Pure and in-memory: the leader's allocator owns one instance, records every decision in
 * the replicated store, and after a leader change rebuilds an instance by replaying what the store
 * holds through {@link #restoreNetwork} and {@link #allocateAddress(String, String)}. Not
 * thread-safe; one owner thread.
 */
public final class Ipam {
  public static final String DEFAULT_POOL = "10.0.0.0/8";
  public static final int DEFAULT_SUBNET_PREFIX = 24;

  private final SubnetPool subnets;
  private final VniPool vnis;
  private final Map<String, Network> networks = new HashMap<>();

  private record Network(NetworkAllocation allocation, SubnetAddresses addresses) {}

  public Ipam(Cidr pool, int subnetPrefix, VniPool vnis) {
    this.subnets = new SubnetPool(pool, subnetPrefix);
    this.vnis = vnis;
  }

  /** 10.0.0.0/8 in /24s, VNIs 4096..16777215. */
  public static Ipam withDefaults() {
    return new Ipam(Cidr.parse(DEFAULT_POOL), DEFAULT_SUBNET_PREFIX, new VniPool());
  }

  /**
   * Allocates a subnet (the requested one or the next free of the pool), a gateway and, for an
   * overlay, a VNI. Nothing is kept when it fails.
   */
  public NetworkAllocation allocateNetwork(String networkId, NetworkRequest request) throws IpamException {
    if (networks.containsKey(networkId)) {
      throw new IpamException("network " + networkId + " already has an allocation");
    }
    Cidr subnet;
    try {
      subnet = request.subnet() == null ? null : Cidr.parse(request.subnet());
    } catch (IllegalArgumentException e) {
      throw new IpamException("subnet: " + e.getMessage());
    }
    if (subnet != null && subnet.prefix() > 30) {
      throw new IpamException("subnet " + subnet + " is too small; use /30 or larger");
    }
    if (subnet == null && request.gateway() != null) {
      throw new IpamException("a gateway needs a subnet; give the subnet too");
    }
    if (subnet != null) {
      subnets.allocate(subnet);
    } else {
      subnet = subnets.allocateNext();
    }
    try {
      int gateway = gatewayOf(subnet, request.gateway());
      int vni = request.overlay() ? vnis.allocateNext() : 0;
      NetworkAllocation a = new NetworkAllocation(networkId, subnet, Ipv4.format(gateway), vni);
      networks.put(networkId, new Network(a, new SubnetAddresses(subnet, gateway)));
      return a;
    } catch (IpamException | RuntimeException e) {
      subnets.release(subnet);
      throw e;
    }
  }

  /** Takes back an allocation the store recorded earlier (leader change, restart). */
  public void restoreNetwork(NetworkAllocation a) throws IpamException {
    if (networks.containsKey(a.networkId())) {
      throw new IpamException("network " + a.networkId() + " already has an allocation");
    }
    int gateway = gatewayOf(a.subnet(), a.gateway());
    subnets.allocate(a.subnet());
    if (a.vni() != 0) {
      try {
        vnis.allocate(a.vni());
      } catch (IpamException e) {
        subnets.release(a.subnet());
        throw e;
      }
    }
    networks.put(a.networkId(), new Network(a, new SubnetAddresses(a.subnet(), gateway)));
  }

  /** Returns the subnet, the VNI and every address of the network to the pools. */
  public void releaseNetwork(String networkId) throws IpamException {
    Network n = network0(networkId);
    subnets.release(n.allocation().subnet());
    if (n.allocation().vni() != 0) {
      vnis.release(n.allocation().vni());
    }
    networks.remove(networkId);
  }

  public Optional<NetworkAllocation> network(String networkId) {
    Network n = networks.get(networkId);
    return n == null ? Optional.empty() : Optional.of(n.allocation());
  }

  /** The next free address of the network (for a task endpoint or a service VIP). */
  public String allocateAddress(String networkId) throws IpamException {
    return Ipv4.format(network0(networkId).addresses().allocateNext());
  }

  /** Takes exactly {@code address}: a user's choice, or replaying the store after a leader change. */
  public void allocateAddress(String networkId, String address) throws IpamException {
    network0(networkId).addresses().allocate(parse(address));
  }

  public void releaseAddress(String networkId, String address) throws IpamException {
    network0(networkId).addresses().release(parse(address));
  }

  public boolean isAllocated(String networkId, String address) {
    Network n = networks.get(networkId);
    return n != null && n.addresses().isAllocated(parse0(address));
  }

  /** Addresses in use in the network (gateway and reserved ones not counted). */
  public int addressesInUse(String networkId) throws IpamException {
    return network0(networkId).addresses().inUse();
  }

  /** Networks holding an allocation. */
  public int networkCount() {
    return networks.size();
  }

  private Network network0(String networkId) throws IpamException {
    Network n = networks.get(networkId);
    if (n == null) {
      throw new IpamException("network " + networkId + " has no address allocation");
    }
    return n;
  }

  private static int gatewayOf(Cidr subnet, String gateway) throws IpamException {
    if (gateway == null) {
      return subnet.addressAt(1);
    }
    int g = parse(gateway);
    if (!subnet.contains(g) || g == subnet.address() || subnet.indexOf(g) == subnet.size() - 1) {
      throw new IpamException("gateway " + gateway + " is not a host address of " + subnet
          + "; choose an address inside the subnet");
    }
    return g;
  }

  private static int parse(String address) throws IpamException {
    try {
      return Ipv4.parse(address);
    } catch (IllegalArgumentException e) {
      throw new IpamException(e.getMessage());
    }
  }

  private static int parse0(String address) {
    try {
      return Ipv4.parse(address);
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }
}
