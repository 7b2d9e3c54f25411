package dev.orch.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The names the embedded DNS answers, per network, and which networks each container (by source
 * address) may see. The agent replaces a network's whole table when it changes; lookups read an
 * immutable snapshot, so they never wait for an update. Names are case-insensitive.
 *
 * <p>{@link #serviceNames} builds the conventional table of one service: {@code SERVICE} to the VIP
 * (or, for dnsrr, to every task address), {@code tasks.SERVICE} to every task address, each task
 * name to its address, and each alias like the service name.
 */
public final class DnsNames {
  private final Map<String, Map<String, List<Inet4Address>>> byNetwork = new ConcurrentHashMap<>();
  private final Map<Inet4Address, Set<String>> scopeBySource = new ConcurrentHashMap<>();

  /** Replaces every name of the network. */
  public void setNetworkNames(String networkId, Map<String, List<String>> names) {
    Map<String, List<Inet4Address>> table = new HashMap<>();
    names.forEach((name, ips) -> table.put(normalize(name), ips.stream().map(DnsNames::address).toList()));
    byNetwork.put(networkId, Map.copyOf(table));
  }

  public void removeNetwork(String networkId) {
    byNetwork.remove(networkId);
  }

  /** A container with address {@code sourceIp} sees the names of {@code networkIds}. */
  public void setScope(String sourceIp, Set<String> networkIds) {
    scopeBySource.put(address(sourceIp), Set.copyOf(networkIds));
  }

  public void removeScope(String sourceIp) {
    scopeBySource.remove(address(sourceIp));
  }

  /**
   * The addresses of {@code name} as seen by the container at {@code source}: empty when the name
   * is not in any network that container is on (then the query goes upstream).
   */
  public List<Inet4Address> lookup(InetAddress source, String name) {
    Set<String> scope = source instanceof Inet4Address a ? scopeBySource.get(a) : null;
    if (scope == null) {
      return List.of();
    }
    String key = normalize(name);
    List<Inet4Address> out = null;
    for (String networkId : scope) {
      Map<String, List<Inet4Address>> table = byNetwork.get(networkId);
      List<Inet4Address> hit = table == null ? null : table.get(key);
      if (hit != null) {
        if (out == null) {
          out = hit;
        } else {
          out = new ArrayList<>(out);
          out.addAll(hit);
        }
      }
    }
    return out == null ? List.of() : out;
  }

  /**
   * Adds one service's names on one network to {@code table}.
   *
   * @param vip the service's VIP on the network, {@code null} for dnsrr (the name then lists tasks)
   * @param tasks task name to task address on the network
   */
  public static void serviceNames(Map<String, List<String>> table, String service, Collection<String> aliases,
      String vip, Map<String, String> tasks) {
    List<String> taskIps = List.copyOf(tasks.values());
    List<String> serviceIps = vip == null ? taskIps : List.of(vip);
    merge(table, service, serviceIps);
    for (String alias : aliases) {
      merge(table, alias, serviceIps);
    }
    merge(table, "tasks." + service, taskIps);
    tasks.forEach((task, ip) -> merge(table, task, List.of(ip)));
  }

  private static void merge(Map<String, List<String>> table, String name, List<String> ips) {
    table.merge(name, ips, (a, b) -> {
      List<String> all = new ArrayList<>(a);
      all.addAll(b);
      return all;
    });
  }

  static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private static Inet4Address address(String ip) {
    int v = Ipv4.parse(ip);
    try {
      return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
