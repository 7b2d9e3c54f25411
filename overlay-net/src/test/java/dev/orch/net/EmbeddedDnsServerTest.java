package dev.orch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.dns.DnsRecordType;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The embedded DNS server on loopback, asked by a Netty client, with a fake upstream on loopback. */
class EmbeddedDnsServerTest {
  private final DnsNames names = new DnsNames();
  private FakeUpstream upstream;
  private EmbeddedDnsServer server;
  private InetSocketAddress address;
  private DnsClient inNetwork;
  private DnsClient elsewhere;

  @BeforeEach
  void setUp() throws Exception {
    upstream = new FakeUpstream(Map.of("example.org", "192.0.2.7"));
    server = new EmbeddedDnsServer(names, List.of(upstream.address()), new Random(7));
    address = server.listen("127.0.0.1", 0);
    Map<String, List<String>> table = new HashMap<>();
    Map<String, String> tasks = new LinkedHashMap<>();
    tasks.put("web.1.x1", "10.0.0.3");
    tasks.put("web.2.x2", "10.0.0.4");
    DnsNames.serviceNames(table, "web", List.of("frontend"), "10.0.0.2", tasks);
    DnsNames.serviceNames(table, "db", List.of(), null, Map.of("db.1.y1", "10.0.0.9"));
    names.setNetworkNames("net1", table);
    names.setScope("127.0.0.1", Set.of("net1"));
    inNetwork = new DnsClient("127.0.0.1");
    elsewhere = new DnsClient("127.0.0.2");
  }

  @AfterEach
  void tearDown() {
    inNetwork.close();
    elsewhere.close();
    server.close();
    upstream.close();
  }

  @Test
  void answersServiceTaskAndAliasNames() throws Exception {
    assertEquals(List.of("10.0.0.2"), inNetwork.ask(address, "web.", DnsRecordType.A).addresses());
    assertEquals(List.of("10.0.0.2"), inNetwork.ask(address, "FrontEnd.", DnsRecordType.A).addresses());
    assertEquals(Set.of("10.0.0.3", "10.0.0.4"), Set.copyOf(inNetwork.ask(address, "tasks.web.", DnsRecordType.A).addresses()));
    assertEquals(List.of("10.0.0.4"), inNetwork.ask(address, "web.2.x2.", DnsRecordType.A).addresses());
    assertEquals(List.of("10.0.0.9"), inNetwork.ask(address, "db.", DnsRecordType.A).addresses(), "dnsrr: the task addresses");
    DnsClient.Answer aaaa = inNetwork.ask(address, "web.", DnsRecordType.AAAA);
    assertEquals("NoError(0)", aaaa.code());
    assertEquals(List.of(), aaaa.addresses());
    assertEquals(0, upstream.queries(), "known names never go upstream");
  }

  @Test
  void otherNamesAndOtherNetworksGoUpstreamUnderTheAskersId() throws Exception {
    DnsClient.Answer a = inNetwork.ask(address, "example.org.", DnsRecordType.A);
    assertEquals(List.of("192.0.2.7"), a.addresses());
    DnsClient.Answer b = elsewhere.ask(address, "web.", DnsRecordType.A);
    assertEquals("NXDomain(3)", b.code(), "a container not on the network does not see its names");
    assertEquals(1, b.id());
    assertEquals(2, upstream.queries());
  }

  @Test
  void longAnswersAreCutOverUdpAndWholeOverTcp() throws Exception {
    Map<String, String> tasks = new LinkedHashMap<>();
    for (int i = 0; i < 60; i++) {
      tasks.put("many." + i, "10.0.1." + (i + 10));
    }
    Map<String, List<String>> table = new HashMap<>();
    DnsNames.serviceNames(table, "many", List.of(), null, tasks);
    names.setNetworkNames("net1", table);
    DnsClient.Answer udp = inNetwork.ask(address, "tasks.many.", DnsRecordType.A);
    assertTrue(udp.truncated());
    assertTrue(udp.addresses().size() < 60 && udp.addresses().size() > 10, udp.addresses().toString());
    DnsClient.Answer tcp = DnsClient.askTcp(address, "tasks.many.", DnsRecordType.A);
    assertFalse(tcp.truncated());
    assertEquals(Set.copyOf(tasks.values()), Set.copyOf(tcp.addresses()));
    assertEquals(42, tcp.id());
    assertEquals(List.of("192.0.2.7"), DnsClient.askTcp(address, "example.org.", DnsRecordType.A).addresses(),
        "forwarded for a TCP asker too");
  }

  @Test
  void aSilentUpstreamGivesServfail() throws Exception {
    upstream.mute();
    assertEquals("ServFail(2)", inNetwork.ask(address, "example.org.", DnsRecordType.A).code());
  }

  @Test
  void tableChangesApplyToTheNextQuery() throws Exception {
    names.setNetworkNames("net1", Map.of("web", List.of("10.0.0.50")));
    assertEquals(List.of("10.0.0.50"), inNetwork.ask(address, "web.", DnsRecordType.A).addresses());
    names.removeScope("127.0.0.1");
    assertEquals("NXDomain(3)", inNetwork.ask(address, "web.", DnsRecordType.A).code());
  }

}
