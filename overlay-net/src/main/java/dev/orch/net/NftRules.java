package dev.orch.net;

import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders the nftables rulesets, as whole tables that replace the previous ones in one transaction
 * ({@code table; delete table; table {...}}): readers and connections never see half a change.
 *
 * <p>Node table {@code ip orch}: published ports (DNAT in prerouting and output for the node's own
 * addresses, spread by {@code numgen random}), the routing mesh's SNAT to the node's own address on
 * the ingress network, outbound masquerade for non-internal networks, isolation between networks
 * and no way in or out for internal ones. Container table {@code ip orch_lb}: service VIPs DNATed to
 * a random backend in the container's own output path, so the VIP is resolved before the packet
 * leaves the container and no node-side state is shared between containers.
 */
final class NftRules {
  static final String NODE_TABLE = "orch";
  static final String CONTAINER_TABLE = "orch_lb";
  static final String BRIDGE_TABLE = "orch_l2";

  private NftRules() {}

  /** @param vxlanPort the UDP port of the node's VXLAN devices; their packets bypass connection tracking */
  static String node(Collection<OverlayNetwork> networks, Collection<PublishedPort> ports, int vxlanPort) {
    StringBuilder b = header(NODE_TABLE).append(bridgeHeader());
    if (networks.isEmpty() && ports.isEmpty()) {
      return b.toString();
    }
    bridged(b, networks);
    String dnat = ports.stream().filter(p -> !p.backends().isEmpty()).map(NftRules::portRule)
        .collect(Collectors.joining());
    b.append("table ip ").append(NODE_TABLE).append(" {\n");
    if (networks.stream().anyMatch(n -> n.vni() != 0)) {
      // Encapsulated overlay packets are never NATed or filtered by state here (what they carry is,
      // on the bridge and in the containers), so tracking them would only cost a lookup per packet
      // on both nodes.
      String notrack = "    udp dport " + vxlanPort + " notrack\n";
      chain(b, "tunnel_in", "filter hook prerouting priority raw", notrack);
      chain(b, "tunnel_out", "filter hook output priority raw", notrack);
    }
    chain(b, "prerouting", "nat hook prerouting priority -100", dnat);
    chain(b, "output", "nat hook output priority -100", dnat);
    StringBuilder post = new StringBuilder();
    StringBuilder forward = new StringBuilder();
    StringBuilder input = new StringBuilder();
    for (OverlayNetwork n : networks) {
      String br = quote(LinkNames.bridge(n.id()));
      if (n.nodeAddress() != null) {
        post.append("    oifname ").append(br).append(" ct status dnat ip saddr != ").append(n.subnet())
            .append(" snat to ").append(n.nodeAddress()).append('\n');
      }
      String across = "    iifname " + br + " oifname \"" + LinkNames.BRIDGE + "*\" oifname != " + br;
      forward.append(across).append(" ct status != dnat drop\n");
      // switched frames are untracked (below), and "ct status" matches nothing without a connection
      forward.append(across).append(" ct state untracked drop\n");
      if (n.internal()) {
        forward.append("    iifname ").append(br).append(" oifname != ").append(br).append(" drop\n");
        forward.append("    oifname ").append(br).append(" iifname != ").append(br).append(" drop\n");
        input.append("    iifname ").append(br).append(" ip daddr != ").append(n.gateway()).append(" drop\n");
      }
    }
    for (OverlayNetwork n : networks) {
      if (!n.internal()) {
        post.append("    ip saddr ").append(n.subnet()).append(" oifname != ").append(quote(LinkNames.bridge(n.id())))
            .append(" masquerade\n");
      }
    }
    chain(b, "postrouting", "nat hook postrouting priority 100", post.toString());
    chain(b, "forward", "filter hook forward priority 0", forward.toString());
    chain(b, "input", "filter hook input priority 0", input.toString());
    return b.append("}\n").toString();
  }

  private static String bridgeHeader() {
    return "table bridge " + BRIDGE_TABLE + "\ndelete table bridge " + BRIDGE_TABLE + "\n";
  }

  /**
   * Frames that a network's bridge only switches between endpoints (from a container's veth or
   * the VXLAN device, to an address of the subnet that is not the node's own) are not connection
   * tracked: with br_netfilter loaded (Docker loads it; new namespaces default to calling it) each
   * would otherwise pass conntrack on both nodes, though nothing on the node NATs or filters them by
   * state (VIPs are resolved in the containers). What reaches the node itself or is routed (the
   * gateway, the node's ingress address: the routing mesh's replies, traffic out) stays tracked.
   */
  private static void bridged(StringBuilder b, Collection<OverlayNetwork> networks) {
    StringBuilder rules = new StringBuilder();
    for (OverlayNetwork n : networks) {
      String own = n.nodeAddress() != null ? n.gateway() + ", " + n.nodeAddress() : n.gateway();
      for (String port : List.of(LinkNames.VETH, LinkNames.VXLAN)) {
        rules.append("    iifname \"").append(port).append("*\" ip daddr ").append(n.subnet())
            .append(" ip daddr != { ").append(own).append(" } notrack\n");
      }
    }
    b.append("table bridge ").append(BRIDGE_TABLE).append(" {\n");
    chain(b, "prerouting", "filter hook prerouting priority -300", rules.toString());
    b.append("}\n");
  }

  /** The VIP rules of one container; {@code vips} are those of the networks it is on. */
  static String container(Collection<ServiceVip> vips) {
    StringBuilder b = header(CONTAINER_TABLE);
    if (vips.isEmpty()) {
      return b.toString();
    }
    StringBuilder dnat = new StringBuilder();
    StringBuilder reject = new StringBuilder();
    for (ServiceVip v : vips) {
      if (v.backends().isEmpty()) {
        reject.append("    ip daddr ").append(v.vip()).append(" reject\n");
      } else {
        dnat.append("    ip daddr ").append(v.vip()).append(" dnat to ").append(spread(v.backends(), null)).append('\n');
      }
    }
    b.append("table ip ").append(CONTAINER_TABLE).append(" {\n");
    chain(b, "output", "nat hook output priority -100", dnat.toString());
    chain(b, "empty_vips", "filter hook output priority 0", reject.toString());
    return b.append("}\n").toString();
  }

  private static StringBuilder header(String table) {
    // adding first makes the delete valid whether or not the table exists: one atomic replace
    return new StringBuilder("table ip ").append(table).append("\ndelete table ip ").append(table).append('\n');
  }

  private static String portRule(PublishedPort p) {
    return "    fib daddr type local " + p.protocol() + " dport " + p.publishedPort() + " dnat to "
        + spread(p.backends(), p.targetPort()) + "\n";
  }

  private static String spread(List<String> backends, Integer port) {
    String suffix = port == null ? "" : " : " + port;
    if (backends.size() == 1) {
      return backends.get(0) + suffix;
    }
    StringBuilder m = new StringBuilder("numgen random mod ").append(backends.size()).append(" map { ");
    for (int i = 0; i < backends.size(); i++) {
      m.append(i == 0 ? "" : ", ").append(i).append(" : ").append(backends.get(i));
    }
    return m.append(" }").append(suffix).toString();
  }

  private static void chain(StringBuilder b, String name, String type, String rules) {
    b.append("  chain ").append(name).append(" {\n    type ").append(type).append("; policy accept;\n")
        .append(rules).append("  }\n");
  }

  private static String quote(String s) {
    return '"' + s + '"';
  }
}
