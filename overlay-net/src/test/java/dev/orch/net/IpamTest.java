package dev.orch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpamTest {

  @Test
  void cidrParsesAndRefusesHostBits() {
    assertEquals("10.0.0.0/8", Cidr.parse("10.0.0.0/8").toString());
    assertEquals(256, Cidr.parse("192.168.1.0/24").size());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.1/8"));
    assertEquals("10.0.0.1/8 has host bits set; use 10.0.0.0/8", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.256/24"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
    assertTrue(Cidr.parse("0.0.0.0/0").contains(Ipv4.parse("255.255.255.255")));
  }

  @Test
  void macFollowsTheAddress() {
    assertEquals("02:42:0a:00:01:05", Ipv4.macFor("10.0.1.5"));
  }

  @Test
  void splitsThePoolIntoSubnetsWithGatewayAndVni() throws Exception {
    Ipam ipam = Ipam.withDefaults();
    NetworkAllocation a = ipam.allocateNetwork("a", NetworkRequest.nextOverlay());
    NetworkAllocation b = ipam.allocateNetwork("b", NetworkRequest.nextOverlay());
    assertEquals("10.0.0.0/24", a.subnet().toString());
    assertEquals("10.0.0.1", a.gateway());
    assertEquals("10.0.1.0/24", b.subnet().toString());
    assertEquals(VniPool.DEFAULT_MIN, a.vni());
    assertEquals(VniPool.DEFAULT_MIN + 1, b.vni());
    NetworkAllocation local = ipam.allocateNetwork("c", new NetworkRequest(null, null, false));
    assertEquals(0, local.vni());
  }

  @Test
  void requestedSubnetsAreExactAndMayNotOverlap() throws Exception {
    Ipam ipam = Ipam.withDefaults();
    NetworkAllocation a = ipam.allocateNetwork("a", new NetworkRequest("10.0.0.0/16", "10.0.0.254", true));
    assertEquals("10.0.0.254", a.gateway());
    IpamException e = assertThrows(IpamException.class,
        () -> ipam.allocateNetwork("b", new NetworkRequest("10.0.5.0/24", null, true)));
    assertEquals("subnet 10.0.5.0/24 overlaps 10.0.0.0/16, which is in use; choose another subnet", e.getMessage());
    // the next free /24 of the pool skips the blocks the /16 covers
    assertEquals("10.1.0.0/24", ipam.allocateNetwork("c", NetworkRequest.nextOverlay()).subnet().toString());
    // outside the pool is fine
    assertEquals("192.168.7.0/24",
        ipam.allocateNetwork("d", new NetworkRequest("192.168.7.0/24", null, true)).subnet().toString());
    assertThrows(IpamException.class, () -> ipam.allocateNetwork("e", new NetworkRequest("192.168.7.128/25", null, true)));
    e = assertThrows(IpamException.class, () -> ipam.allocateNetwork("f", new NetworkRequest("172.16.0.0/24", "172.17.0.1", true)));
    assertTrue(e.getMessage().startsWith("gateway 172.17.0.1 is not a host address of 172.16.0.0/24"), e.getMessage());
    // the failed request kept nothing
    ipam.allocateNetwork("g", new NetworkRequest("172.16.0.0/24", null, true));
  }

  @Test
  void smallSubnetsShareABlockAndFreeItOnlyWhenAllAreGone() throws Exception {
    SubnetPool pool = new SubnetPool(Cidr.parse("10.0.0.0/23"), 24);
    pool.allocate(Cidr.parse("10.0.0.0/26"));
    pool.allocate(Cidr.parse("10.0.0.64/26"));
    assertEquals("10.0.1.0/24", pool.allocateNext().toString());
    assertThrows(IpamException.class, pool::allocateNext);
    pool.release(Cidr.parse("10.0.0.0/26"));
    assertThrows(IpamException.class, pool::allocateNext);
    pool.release(Cidr.parse("10.0.0.64/26"));
    assertEquals("10.0.0.0/24", pool.allocateNext().toString());
    assertThrows(IpamException.class, () -> pool.release(Cidr.parse("10.0.0.0/25")));
  }

  @Test
  void addressesSkipReservedAndAreNotReusedAtOnce() throws Exception {
    Ipam ipam = Ipam.withDefaults();
    ipam.allocateNetwork("n", new NetworkRequest("10.9.0.0/29", null, true));
    // .0 network, .1 gateway, .7 broadcast: five host addresses
    Set<String> got = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      got.add(ipam.allocateAddress("n"));
    }
    assertEquals(Set.of("10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6"), got);
    IpamException e = assertThrows(IpamException.class, () -> ipam.allocateAddress("n"));
    assertEquals("subnet 10.9.0.0/29 has no free address; use a larger subnet for this network", e.getMessage());
    ipam.releaseAddress("n", "10.9.0.3");
    assertEquals("10.9.0.3", ipam.allocateAddress("n"));
    ipam.releaseAddress("n", "10.9.0.3");
    ipam.releaseAddress("n", "10.9.0.4");
    assertEquals("10.9.0.4", ipam.allocateAddress("n"), "next-fit goes on after the last one handed out");
    assertThrows(IpamException.class, () -> ipam.allocateAddress("n", "10.9.0.1"));
    assertThrows(IpamException.class, () -> ipam.allocateAddress("n", "10.9.1.1"));
    assertThrows(IpamException.class, () -> ipam.releaseAddress("n", "10.9.0.1"));
    assertThrows(IpamException.class, () -> ipam.releaseAddress("nope", "10.9.0.2"));
    assertEquals(4, ipam.addressesInUse("n"));
  }

  @Test
  void rebuildsFromTheStoreWithoutDoubleAllocation() throws Exception {
    Ipam first = Ipam.withDefaults();
    NetworkAllocation a = first.allocateNetwork("a", NetworkRequest.nextOverlay());
    NetworkAllocation b = first.allocateNetwork("b", NetworkRequest.nextOverlay());
    String ip1 = first.allocateAddress("a");
    String ip2 = first.allocateAddress("a");

    Ipam next = Ipam.withDefaults();
    next.restoreNetwork(a);
    next.restoreNetwork(b);
    next.allocateAddress("a", ip1);
    next.allocateAddress("a", ip2);
    NetworkAllocation c = next.allocateNetwork("c", NetworkRequest.nextOverlay());
    assertNotEquals(a.subnet(), c.subnet());
    assertNotEquals(b.subnet(), c.subnet());
    assertNotEquals(a.vni(), c.vni());
    assertNotEquals(b.vni(), c.vni());
    String ip3 = next.allocateAddress("a");
    assertFalse(ip3.equals(ip1) || ip3.equals(ip2));
    assertThrows(IpamException.class, () -> next.restoreNetwork(a));
  }

  @Test
  void releasingANetworkReturnsSubnetAndVni() throws Exception {
    Ipam ipam = new Ipam(Cidr.parse("10.0.0.0/23"), 24, new VniPool(4096, 4097));
    ipam.allocateNetwork("a", NetworkRequest.nextOverlay());
    ipam.allocateNetwork("b", NetworkRequest.nextOverlay());
    IpamException e = assertThrows(IpamException.class, () -> ipam.allocateNetwork("c", NetworkRequest.nextOverlay()));
    assertTrue(e.getMessage().startsWith("address pool 10.0.0.0/23 has no free /24 left"), e.getMessage());
    ipam.releaseNetwork("a");
    NetworkAllocation c = ipam.allocateNetwork("c", NetworkRequest.nextOverlay());
    assertEquals("10.0.0.0/24", c.subnet().toString());
    assertEquals(4096, c.vni());
    assertEquals(2, ipam.networkCount());
    // VNIs exhausted: the subnet taken for the request goes back
    Ipam tight = new Ipam(Cidr.parse("10.0.0.0/16"), 24, new VniPool(4096, 4096));
    tight.allocateNetwork("a", NetworkRequest.nextOverlay());
    assertThrows(IpamException.class, () -> tight.allocateNetwork("b", NetworkRequest.nextOverlay()));
    assertEquals("10.0.1.0/24", tight.allocateNetwork("c", new NetworkRequest("10.0.1.0/24", null, false)).subnet().toString());
  }

  @Test
  void fullDefaultPoolIsFastAndExact() throws Exception {
    SubnetPool pool = new SubnetPool(Cidr.parse("10.0.0.0/8"), 24);
    for (int i = 0; i < 65536; i++) {
      pool.allocateNext();
    }
    assertThrows(IpamException.class, pool::allocateNext);
    pool.release(Cidr.parse("10.200.3.0/24"));
    assertEquals("10.200.3.0/24", pool.allocateNext().toString());
  }

  @Test
  void dnsNamesAreScopedToTheAskersNetworks() throws Exception {
    DnsNames names = new DnsNames();
    java.util.Map<String, java.util.List<String>> t = new java.util.HashMap<>();
    DnsNames.serviceNames(t, "web", java.util.List.of("www"), "10.0.0.2",
        new java.util.LinkedHashMap<>(java.util.Map.of("web.1.abc", "10.0.0.3")));
    names.setNetworkNames("n1", t);
    names.setScope("10.0.0.9", Set.of("n1"));
    names.setScope("10.0.1.9", Set.of("n2"));
    java.net.InetAddress in = java.net.InetAddress.getByName("10.0.0.9");
    java.net.InetAddress out = java.net.InetAddress.getByName("10.0.1.9");
    assertEquals("[/10.0.0.2]", names.lookup(in, "WEB.").toString());
    assertEquals("[/10.0.0.2]", names.lookup(in, "www").toString());
    assertEquals("[/10.0.0.3]", names.lookup(in, "tasks.web").toString());
    assertEquals("[/10.0.0.3]", names.lookup(in, "web.1.abc").toString());
    assertTrue(names.lookup(out, "web").isEmpty());
  }
}
