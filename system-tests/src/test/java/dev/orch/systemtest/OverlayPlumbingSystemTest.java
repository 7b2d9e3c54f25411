package dev.orch.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.bench.OverlayBed;
import dev.orch.net.Cidr;
import dev.orch.net.ContainerAttachment;
import dev.orch.net.ContainerEndpoint;
import dev.orch.net.KernelNodeNetworks;
import dev.orch.net.NodeNetworkConfig;
import dev.orch.net.OverlayNetwork;
import dev.orch.net.PublishedPort;
import dev.orch.net.RemoteEndpoint;
import dev.orch.net.ServiceVip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The node plumbing on the real kernel: two "node" namespaces joined by an underlay bridge, an
 * "outside" host on the underlay, "container" namespaces attached to overlay networks by two
 * {@link KernelNodeNetworks}, each acting in its node's namespace.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverlayPlumbingSystemTest {
  private static final int PORT = 7000;
  private static final OverlayNetwork A = net("a", 5001, "10.77.1.0/24", false, null);
  private static final OverlayNetwork B = net("b", 5002, "10.77.2.0/24", false, null);
  private static final OverlayNetwork INTERNAL = net("i", 5003, "10.77.3.0/24", true, null);
  private static final String VIP = "10.77.1.100";
  private static final List<String> BACKENDS = List.of("10.77.1.21", "10.77.1.22", "10.77.1.23", "10.77.1.24");
  private static final List<String> INGRESS_BACKENDS = List.of("10.77.9.21", "10.77.9.22", "10.77.9.23", "10.77.9.24");

  private static OverlayBed bed;
  private static KernelNodeNetworks node1;
  private static KernelNodeNetworks node2;
  private static Path outside;
  private static Path a1;
  private static Path b1;
  private static Path i1;
  private static Path i2;
  private static final List<Path> BACKEND_NS = new ArrayList<>();

  private static OverlayNetwork net(String id, int vni, String subnet, boolean internal, String nodeAddress) {
    Cidr c = Cidr.parse(subnet);
    return new OverlayNetwork("net-" + id, vni, c, dev.orch.net.Ipv4.format(c.addressAt(1)), internal, nodeAddress);
  }

  private static OverlayNetwork ingress(String nodeAddress) {
    return net("ingress", 5009, "10.77.9.0/24", false, nodeAddress);
  }

  @BeforeAll
  static void setUp() throws Exception {
    RootOnly.require("the overlay plumbing test");
    bed = new OverlayBed("onet" + ProcessHandle.current().pid(), 2);
    outside = bed.host("x", 9);
    node1 = new KernelNodeNetworks(new NodeNetworkConfig(OverlayBed.nodeAddress(1), bed.node(1), 4789));
    node2 = new KernelNodeNetworks(new NodeNetworkConfig(OverlayBed.nodeAddress(2), bed.node(2), 4789));
    for (OverlayNetwork n : List.of(A, B, INTERNAL)) {
      node1.ensureNetwork(n);
      node2.ensureNetwork(n);
    }
    node1.ensureNetwork(ingress("10.77.9.250"));
    node2.ensureNetwork(ingress("10.77.9.251"));

    a1 = attach(node1, "a1", ContainerEndpoint.of(A.id(), "10.77.1.11", "eth0"));
    List<RemoteEndpoint> aPeersOn1 = new ArrayList<>();
    List<RemoteEndpoint> ingressPeersOn1 = new ArrayList<>(List.of(RemoteEndpoint.of("10.77.9.251", OverlayBed.nodeAddress(2))));
    for (int i = 0; i < 4; i++) {
      Path c = attach(node2, "a" + (i + 2), ContainerEndpoint.of(A.id(), BACKENDS.get(i), "eth0"),
          ContainerEndpoint.of("net-ingress", INGRESS_BACKENDS.get(i), "eth1"));
      bed.replyServer(c, PORT, "a" + (i + 2));
      BACKEND_NS.add(c);
      aPeersOn1.add(RemoteEndpoint.of(BACKENDS.get(i), OverlayBed.nodeAddress(2)));
      ingressPeersOn1.add(RemoteEndpoint.of(INGRESS_BACKENDS.get(i), OverlayBed.nodeAddress(2)));
    }
    b1 = attach(node2, "b1", ContainerEndpoint.of(B.id(), "10.77.2.11", "eth0"));
    bed.replyServer(b1, PORT, "b1");
    i1 = attach(node1, "i1", ContainerEndpoint.of(INTERNAL.id(), "10.77.3.11", "eth0"));
    i2 = attach(node2, "i2", ContainerEndpoint.of(INTERNAL.id(), "10.77.3.12", "eth0"));
    bed.replyServer(i2, PORT, "i2");
    bed.replyServer(outside, PORT, "outside");

    node1.setPeers(A.id(), aPeersOn1);
    node2.setPeers(A.id(), List.of(RemoteEndpoint.of("10.77.1.11", OverlayBed.nodeAddress(1))));
    node1.setPeers(INTERNAL.id(), List.of(RemoteEndpoint.of("10.77.3.12", OverlayBed.nodeAddress(2))));
    node2.setPeers(INTERNAL.id(), List.of(RemoteEndpoint.of("10.77.3.11", OverlayBed.nodeAddress(1))));
    node1.setPeers("net-ingress", ingressPeersOn1);
    node2.setPeers("net-ingress", List.of(RemoteEndpoint.of("10.77.9.250", OverlayBed.nodeAddress(1))));
    node1.setServiceVips(List.of(new ServiceVip("svc-a", A.id(), VIP, BACKENDS)));
    node2.setServiceVips(List.of(new ServiceVip("svc-a", A.id(), VIP, BACKENDS)));
    PublishedPort published = new PublishedPort("tcp", 8080, PORT, PublishedPort.Mode.INGRESS, INGRESS_BACKENDS);
    node1.setPublishedPorts(List.of(published));
    node2.setPublishedPorts(List.of(published,
        new PublishedPort("tcp", 8090, PORT, PublishedPort.Mode.HOST, List.of(BACKENDS.get(0)))));
  }

  private static Path attach(KernelNodeNetworks node, String name, ContainerEndpoint... endpoints) throws Exception {
    Path ns = bed.container(name);
    node.attach(new ContainerAttachment(name, ns, List.of(endpoints)));
    return ns;
  }

  /** What the server at {@code ip:port} answers to a connection from {@code from}, "" when none. */
  private static String connect(Path from, String ip, int port) throws Exception {
    return bed.exec(from, "busybox nc -w 2 " + ip + " " + port + " </dev/null 2>/dev/null").out().strip();
  }

  @Test
  @Order(1)
  void tcpReachesAContainerOnTheOtherNodeOverVxlan() throws Exception {
    assertEquals("a2", connect(a1, "10.77.1.21", PORT));
    assertEquals("i2", connect(i1, "10.77.3.12", PORT), "an internal network still connects its own containers");
    int underlay = Integer.parseInt(mtu(bed.node(1)));
    String mtu = mtu(a1);
    assertEquals(Integer.toString(underlay - 50), mtu, "overlay MTU = underlay MTU - 50");
  }

  private static String mtu(Path netns) throws Exception {
    String link = bed.exec(netns, "ip -o link show dev eth0").out();
    return link.replaceAll("(?s).* mtu (\\d+) .*", "$1").strip();
  }

  @Test
  @Order(2)
  void connectionsToTheVipSpreadOverAllBackends() throws Exception {
    String out = bed.exec(a1, "for i in $(seq 200); do busybox nc -w 2 " + VIP + " " + PORT + " </dev/null; done").out();
    List<String> answers = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    assertEquals(200, answers.size(), out);
    assertEquals(Set.of("a2", "a3", "a4", "a5"), new HashSet<>(answers));
  }

  @Test
  @Order(2)
  void udpFlowsToTheVipSpreadToo() throws Exception {
    for (Path b : BACKEND_NS) {
      assertEquals(0, bed.exec(b, "nft 'add table ip cnt; add chain ip cnt in { type filter hook input priority 0; };"
          + " add rule ip cnt in udp dport 7001 counter'").code());
    }
    // bash opens a new socket, so a new source port and a new flow, per datagram
    assertEquals(0, bed.exec(a1, "bash -c 'for i in $(seq 200); do echo x > /dev/udp/" + VIP + "/7001; done; true'").code());
    long total = 0;
    for (Path b : BACKEND_NS) {
      String chain = bed.exec(b, "nft list chain ip cnt in").out();
      long packets = Long.parseLong(chain.replaceAll("(?s).*counter packets (\\d+) .*", "$1").strip());
      assertTrue(packets > 0, "a backend got no UDP flow: " + chain);
      total += packets;
      bed.exec(b, "nft delete table ip cnt");
    }
    assertEquals(200, total);
  }

  @Test
  @Order(3)
  void backendChangesApplyToNewConnections() throws Exception {
    node1.setServiceVips(List.of(new ServiceVip("svc-a", A.id(), VIP, List.of("10.77.1.23"))));
    try {
      String out = bed.exec(a1, "for i in $(seq 20); do busybox nc -w 2 " + VIP + " " + PORT + " </dev/null; done").out();
      assertEquals(Set.of("a4"), new HashSet<>(out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()));
    } finally {
      node1.setServiceVips(List.of(new ServiceVip("svc-a", A.id(), VIP, BACKENDS)));
    }
  }

  @Test
  @Order(4)
  void twoOverlayNetworksAreIsolated() throws Exception {
    assertEquals("", connect(b1, "10.77.1.21", PORT));
    assertEquals("", connect(a1, "10.77.2.11", PORT));
  }

  @Test
  @Order(5)
  void onlyNonInternalNetworksReachOutside() throws Exception {
    assertEquals("outside", connect(a1, OverlayBed.nodeAddress(9), PORT), "outbound NAT of a normal network");
    assertEquals("", connect(i1, OverlayBed.nodeAddress(9), PORT), "an internal network has no way out");
    assertEquals("", connect(i1, OverlayBed.nodeAddress(1), PORT));
  }

  @Test
  @Order(6)
  void aPublishedPortOnANodeWithoutTasksReachesABackend() throws Exception {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      seen.add(connect(outside, OverlayBed.nodeAddress(1), 8080));
    }
    assertFalse(seen.contains(""), "every connection answered: " + seen);
    assertTrue(Set.of("a2", "a3", "a4", "a5").containsAll(seen), seen.toString());
    assertNotEquals(1, seen.size(), "connections spread: " + seen);
  }

  @Test
  @Order(7)
  void aHostModePortAnswersOnlyOnTheNodeOfItsTask() throws Exception {
    assertEquals("a2", connect(outside, OverlayBed.nodeAddress(2), 8090));
    assertEquals("", connect(outside, OverlayBed.nodeAddress(1), 8090));
  }

  @Test
  @Order(8)
  void aRestartedNodeConvergesAndSweepsWhatIsNoLongerWanted() throws Exception {
    KernelNodeNetworks restarted = new KernelNodeNetworks(new NodeNetworkConfig(OverlayBed.nodeAddress(1), bed.node(1), 4789));
    node1 = restarted;
    restarted.ensureNetwork(A);
    restarted.attach(new ContainerAttachment("a1", a1, List.of(ContainerEndpoint.of(A.id(), "10.77.1.11", "eth0"))));
    restarted.setServiceVips(List.of(new ServiceVip("svc-a", A.id(), VIP, List.of("10.77.1.22"))));
    // the peer set shrank while the node was down: the kernel's stale entries must go
    restarted.setPeers(A.id(), List.of(RemoteEndpoint.of("10.77.1.22", OverlayBed.nodeAddress(2))));
    restarted.sweep(Set.of(A.id()), Set.of("a1"));

    assertEquals("a3", connect(a1, VIP, PORT));
    assertEquals("a3", connect(a1, "10.77.1.22", PORT));
    assertEquals("", connect(a1, "10.77.1.21", PORT), "no FDB entry left for a removed peer");
    String fdb = bed.exec(bed.node(1), "bridge fdb show | grep ' dst '").out();
    assertEquals(1, fdb.lines().count(), fdb);
    String neigh = bed.exec(bed.node(1), "ip neigh show nud permanent").out();
    assertEquals(List.of("10.77.1.22"), neigh.lines().map(l -> l.split(" ")[0]).toList(), neigh);
    String links = bed.exec(bed.node(1), "ip -o link show").out();
    assertEquals(5, links.lines().count(), "lo, eth0, A's bridge and VXLAN device, a1's veth: " + links);
  }

  @Test
  @Order(9)
  void removingEverythingLeavesNothingBehind() throws Exception {
    Cidr localSubnet = Cidr.parse("10.77.20.0/24");
    node1.ensureNetwork(new OverlayNetwork("net-local", 0, localSubnet, "10.77.20.1", false, null));
    node1.removeNetwork("net-never-created");
    for (KernelNodeNetworks n : List.of(node1, node2)) {
      n.setPublishedPorts(List.of());
      n.setServiceVips(List.of());
      for (String c : n.containers()) {
        n.detach(c);
      }
      for (String id : n.networks()) {
        n.removeNetwork(id);
      }
    }
    for (int i = 1; i <= 2; i++) {
      String links = bed.exec(bed.node(i), "ip -o link show").out();
      assertEquals(List.of("lo", "eth0"), links.lines().map(l -> l.split(":\\s+")[1].split("@")[0]).toList(), links);
      String fdb = bed.exec(bed.node(i), "bridge fdb show | grep -c ' dst ' || true").out().strip();
      assertEquals("0", fdb);
      String neigh = bed.exec(bed.node(i), "ip neigh show nud permanent").out().strip();
      assertEquals("", neigh);
      String tables = bed.exec(bed.node(i), "nft list tables").out().strip();
      assertEquals("", tables);
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (bed != null) {
      bed.close();
    }
  }
}
