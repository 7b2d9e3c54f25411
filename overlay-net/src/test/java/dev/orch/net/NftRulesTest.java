package dev.orch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NftRulesTest {
  private static final OverlayNetwork INGRESS =
      new OverlayNetwork("ingress", 4096, Cidr.parse("10.255.0.0/16"), "10.255.0.1", false, "10.255.0.9");
  private static final OverlayNetwork INTERNAL =
      new OverlayNetwork("secret", 4097, Cidr.parse("10.0.5.0/24"), "10.0.5.1", true, null);

  @Test
  void nothingWantedRemovesTheTable() {
    assertEquals("table ip orch\ndelete table ip orch\ntable bridge orch_l2\ndelete table bridge orch_l2\n",
        NftRules.node(List.of(), List.of(), 4789));
    assertEquals("table ip orch_lb\ndelete table ip orch_lb\n", NftRules.container(List.of()));
  }

  @Test
  void nodeTableHasMeshNatIsolationAndInternal() {
    String br = LinkNames.bridge("ingress");
    String in = LinkNames.bridge("secret");
    String rules = NftRules.node(List.of(INGRESS, INTERNAL), List.of(
        new PublishedPort("tcp", 8080, 80, PublishedPort.Mode.INGRESS, List.of("10.255.0.5", "10.255.0.6")),
        new PublishedPort("udp", 5353, 53, PublishedPort.Mode.HOST, List.of("10.0.9.2")),
        new PublishedPort("tcp", 9090, 90, PublishedPort.Mode.INGRESS, List.of())), 4789);
    assertTrue(rules.contains("fib daddr type local tcp dport 8080 dnat to numgen random mod 2 map { 0 : 10.255.0.5, 1 : 10.255.0.6 } : 80"), rules);
    assertTrue(rules.contains("fib daddr type local udp dport 5353 dnat to 10.0.9.2 : 53"), rules);
    assertFalse(rules.contains("9090"), "a port without tasks is not forwarded");
    assertTrue(rules.contains("oifname \"" + br + "\" ct status dnat ip saddr != 10.255.0.0/16 snat to 10.255.0.9"), rules);
    assertTrue(rules.contains("ip saddr 10.255.0.0/16 oifname != \"" + br + "\" masquerade"), rules);
    assertFalse(rules.contains("ip saddr 10.0.5.0/24"), "no way out for an internal network");
    assertTrue(rules.contains("iifname \"" + in + "\" oifname != \"" + in + "\" drop"), rules);
    assertTrue(rules.contains("iifname \"" + in + "\" ip daddr != 10.0.5.1 drop"), rules);
    assertTrue(rules.indexOf("snat to") < rules.indexOf("masquerade"), "the mesh's SNAT comes before masquerade");
    assertTrue(rules.contains("type filter hook prerouting priority raw; policy accept;\n    udp dport 4789 notrack\n"), rules);
    assertTrue(rules.contains("type filter hook output priority raw; policy accept;\n    udp dport 4789 notrack\n"), rules);
    // switched between endpoints: untracked; to the node (gateway, its ingress address): tracked
    assertTrue(rules.contains("iifname \"ov*\" ip daddr 10.255.0.0/16 ip daddr != { 10.255.0.1, 10.255.0.9 } notrack"), rules);
    assertTrue(rules.contains("iifname \"oh*\" ip daddr 10.0.5.0/24 ip daddr != { 10.0.5.1 } notrack"), rules);
    assertTrue(rules.contains("iifname \"" + br + "\" oifname \"ob*\" oifname != \"" + br + "\" ct state untracked drop"),
        "an untracked frame routed to another network is dropped too: " + rules);
  }

  @Test
  void containerTableSpreadsVipsAndRejectsEmptyOnes() {
    String rules = NftRules.container(List.of(new ServiceVip("s", "n", "10.0.0.2", List.of("10.0.0.3", "10.0.0.4", "10.0.0.5")),
        new ServiceVip("t", "n", "10.0.0.9", List.of())));
    assertTrue(rules.contains("ip daddr 10.0.0.2 dnat to numgen random mod 3 map { 0 : 10.0.0.3, 1 : 10.0.0.4, 2 : 10.0.0.5 }\n"), rules);
    assertTrue(rules.contains("ip daddr 10.0.0.9 reject"), rules);
  }

  @Test
  void linkNamesFitTheKernelLimitAndAreStable() {
    String id = "x".repeat(64);
    assertEquals(12, LinkNames.bridge(id).length());
    assertEquals(15, LinkNames.veth(id, id).length());
    assertEquals(LinkNames.veth("c", "n"), LinkNames.veth("c", "n"));
    assertTrue(LinkNames.veth("c", "n").startsWith(LinkNames.vethPrefix("c")));
  }
}
