package dev.orch.net;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@link NodeNetworks} on the Linux kernel through iproute2 and nftables, one batch per step
 * ({@code ip -batch}, {@code bridge -batch}, {@code nft -f}). What it last applied is kept in
 * memory; after a restart the first call for a network reads the kernel's FDB and neighbour tables
 * once, so stale entries are found, and {@link #sweep} removes devices nobody wants any more.
 * Changes of the node's own namespace are synchronized: one at a time, in order; the container
 * side of {@link #attach} runs outside the lock.
 */
public final class KernelNodeNetworks implements NodeNetworks {
  private final NodeNetworkConfig config;
  private final KernelCommands node;
  private final String underlayDevice;
  private final int mtu;
  private final Path nodeNetnsForPeers;
  private final Map<String, OverlayNetwork> networks = new LinkedHashMap<>();
  private final Map<String, Set<RemoteEndpoint>> peers = new HashMap<>();
  private final Map<String, ContainerAttachment> containers = new LinkedHashMap<>();
  private final Map<String, String> containerRules = new HashMap<>();
  private final Set<String> links = new HashSet<>();
  private List<ServiceVip> vips = List.of();
  private List<PublishedPort> ports = List.of();
  private String nodeRules;
  private final ExecutorService appliers = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "orch-net-rules");
    t.setDaemon(true);
    return t;
  });

  /**
   * Finds the underlay interface and its MTU and enables forwarding in the node's namespace.
   *
   * @throws NetworkException when no interface holds the underlay address
   */
  public KernelNodeNetworks(NodeNetworkConfig config) throws NetworkException {
    this.config = config;
    this.node = new KernelCommands(config.netns());
    String[] dev = underlay(node, config.underlayAddress());
    this.underlayDevice = dev[0];
    this.mtu = Integer.parseInt(dev[1]) - NodeNetworkConfig.VXLAN_OVERHEAD;
    this.nodeNetnsForPeers = config.netns() != null ? config.netns() : Path.of("/proc/" + ProcessHandle.current().pid() + "/ns/net");
    node.run(null, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    links.addAll(node.linkNames());
  }

  /** The MTU of overlay interfaces: the underlay's minus the VXLAN overhead. */
  public int mtu() {
    return mtu;
  }

  @Override
  public synchronized void ensureNetwork(OverlayNetwork n) throws NetworkException {
    OverlayNetwork old = networks.get(n.id());
    String br = LinkNames.bridge(n.id());
    String vx = LinkNames.vxlan(n.id());
    if (n.equals(old) && links.contains(br) && (n.vni() == 0 || links.contains(vx))) {
      return; // set up by this run and unchanged: every view update calls this
    }
    List<String> batch = new ArrayList<>();
    if (old != null && (old.vni() != n.vni() || !old.subnet().equals(n.subnet()))) {
      batch.add("link del " + vx);
      links.remove(vx);
      batch.add("addr flush dev " + br);
      peers.remove(n.id());
    }
    if (!links.contains(br)) {
      batch.add("link add " + br + " mtu " + mtu + " type bridge");
    }
    batch.add("addr replace " + n.gateway() + "/" + n.subnet().prefix() + " dev " + br);
    if (n.nodeAddress() != null) {
      // frames for the node's own address arrive from peers with the MAC the address maps to
      batch.add("link set " + br + " address " + Ipv4.macFor(n.nodeAddress()));
      batch.add("addr replace " + n.nodeAddress() + "/" + n.subnet().prefix() + " dev " + br);
    }
    if (n.vni() != 0 && !links.contains(vx)) {
      batch.add("link add " + vx + " mtu " + mtu + " type vxlan id " + n.vni() + " local " + config.underlayAddress()
          + " dev " + underlayDevice + " dstport " + config.vxlanPort() + " nolearning proxy noudpcsum");
    }
    if (n.vni() == 0 && links.contains(vx)) {
      batch.add("link del " + vx);
    }
    if (n.vni() != 0) {
      batch.add("link set " + vx + " master " + br + " up");
    }
    batch.add("link set " + br + " up");
    node.ipBatch(batch);
    links.add(br);
    if (n.vni() != 0) {
      links.add(vx);
    } else {
      links.remove(vx);
    }
    networks.put(n.id(), n);
    applyNodeRules();
  }

  @Override
  public synchronized void removeNetwork(String networkId) throws NetworkException {
    List<String> present = node.linkNames();
    List<String> batch = new ArrayList<>();
    for (ContainerAttachment a : containers.values()) {
      for (ContainerEndpoint e : a.endpoints()) {
        if (e.networkId().equals(networkId)) {
          batch.add("link del " + LinkNames.veth(a.containerId(), networkId));
        }
      }
    }
    String vx = LinkNames.vxlan(networkId);
    String br = LinkNames.bridge(networkId);
    for (String dev : List.of(vx, br)) {
      if (present.contains(dev)) {
        batch.add("link del " + dev);
      }
    }
    node.ipRemovals(batch);
    links.clear();
    links.addAll(node.linkNames());
    if (links.contains(vx) || links.contains(br)) {
      throw new NetworkException("could not remove the devices of network " + networkId + " (" + br + ", " + vx + ")");
    }
    networks.remove(networkId);
    peers.remove(networkId);
    applyNodeRules();
  }

  @Override
  public synchronized void setPeers(String networkId, Collection<RemoteEndpoint> wanted) throws NetworkException {
    OverlayNetwork n = network(networkId);
    if (n.vni() == 0) {
      return;
    }
    String vx = LinkNames.vxlan(networkId);
    Set<RemoteEndpoint> want = new HashSet<>();
    for (RemoteEndpoint p : wanted) {
      if (!p.nodeAddress().equals(config.underlayAddress())) {
        want.add(p);
      }
    }
    Set<RemoteEndpoint> have = peers.get(networkId);
    List<String> fdb = new ArrayList<>();
    List<String> neigh = new ArrayList<>();
    if (have == null) {
      // first call of this run (orchd restarted): start from what the kernel holds, so entries
      // still wanted stay untouched and stale ones go
      have = kernelPeers(vx, fdb, neigh);
    }
    for (RemoteEndpoint p : have) {
      if (!want.contains(p)) {
        fdb.add("fdb del " + p.mac() + " dev " + vx + " self");
        neigh.add("neigh del " + p.ip() + " dev " + vx);
      }
    }
    for (RemoteEndpoint p : want) {
      if (!have.contains(p)) {
        fdb.add("fdb replace " + p.mac() + " dev " + vx + " dst " + p.nodeAddress() + " self permanent");
        neigh.add("neigh replace " + p.ip() + " lladdr " + p.mac() + " dev " + vx + " nud permanent");
      }
    }
    node.bridgeRemovals(fdb.stream().filter(l -> l.startsWith("fdb del")).toList());
    node.ipRemovals(neigh.stream().filter(l -> !l.startsWith("neigh replace")).toList());
    node.bridgeBatch(fdb.stream().filter(l -> !l.startsWith("fdb del")).toList());
    node.ipBatch(neigh.stream().filter(l -> l.startsWith("neigh replace")).toList());
    peers.put(networkId, want);
  }

  /**
   * Only the node side runs under this object's lock: the container side (its veth pair, address,
   * route; then its VIP rules) touches nothing but the container's namespace, so several
   * containers connect at once. A container is not in {@code containers} until its rules are in
   * place, so no VIP update can race with its first rules; one that came meanwhile is applied
   * before it is added.
   */
  @Override
  public void attach(ContainerAttachment a) throws NetworkException {
    KernelCommands inside = KernelCommands.in(a.netns());
    List<String> in = new ArrayList<>();
    List<String> host = new ArrayList<>();
    boolean fresh = true;
    synchronized (this) {
      in.add("link set lo up");
      boolean routed = false;
      for (ContainerEndpoint e : a.endpoints()) {
        OverlayNetwork n = network(e.networkId());
        String veth = LinkNames.veth(a.containerId(), n.id());
        fresh &= !links.contains(veth);
        if (!links.contains(veth)) {
          in.add("link add " + e.interfaceName() + " mtu " + mtu + " address " + e.mac() + " type veth peer name " + veth
              + " mtu " + mtu + " netns " + nodeNetnsForPeers);
        }
        in.add("addr replace " + e.ip() + "/" + n.subnet().prefix() + " dev " + e.interfaceName());
        in.add("link set " + e.interfaceName() + " up");
        if (!routed && !n.internal()) {
          in.add("route replace default via " + n.gateway() + " dev " + e.interfaceName());
          routed = true;
        }
        host.add("link set " + veth + " master " + LinkNames.bridge(n.id()) + " up");
      }
    }
    inside.ipBatch(in);
    String had;
    String rules;
    synchronized (this) {
      // a network removed meanwhile fails here; deleting the container's namespace then removes the pair
      node.ipBatch(host);
      for (ContainerEndpoint e : a.endpoints()) {
        links.add(LinkNames.veth(a.containerId(), e.networkId()));
      }
      ContainerAttachment old = containers.remove(a.containerId());
      had = old != null && old.netns().equals(a.netns()) ? containerRules.get(a.containerId())
          // attached by an earlier run: whatever rules it left must be replaced even if none are wanted
          : !fresh && old == null ? "" : null;
      containerRules.remove(a.containerId());
      rules = containerRulesFor(a, had);
    }
    if (rules != null) {
      inside.nft(rules);
    }
    synchronized (this) {
      containers.put(a.containerId(), a);
      String applied = rules != null ? rules : had;
      if (applied != null) {
        containerRules.put(a.containerId(), applied);
      }
      applyContainerRules(a); // only if VIPs changed while the rules above were applied
    }
  }

  @Override
  public synchronized void detach(String containerId) throws NetworkException {
    String prefix = LinkNames.vethPrefix(containerId);
    List<String> batch = new ArrayList<>();
    for (String l : links) {
      if (l.startsWith(prefix)) {
        batch.add("link del " + l);
      }
    }
    node.ipRemovals(batch);
    links.removeIf(l -> l.startsWith(prefix));
    containers.remove(containerId);
    containerRules.remove(containerId);
  }

  @Override
  public synchronized void setServiceVips(Collection<ServiceVip> wanted) throws NetworkException {
    vips = List.copyOf(wanted);
    // each changed container is one nft process; run a few at once (they mostly wait on exec)
    Map<String, String> changed = new LinkedHashMap<>();
    for (ContainerAttachment a : containers.values()) {
      String rules = containerRulesFor(a);
      if (rules != null) {
        changed.put(a.containerId(), rules);
      }
    }
    List<Future<String>> done = new ArrayList<>();
    for (Map.Entry<String, String> e : changed.entrySet()) {
      Path netns = containers.get(e.getKey()).netns();
      done.add(appliers.submit(() -> {
        KernelCommands.in(netns).nft(e.getValue());
        return e.getKey();
      }));
    }
    NetworkException first = null;
    for (Future<String> f : done) {
      try {
        String id = f.get();
        containerRules.put(id, changed.get(id));
      } catch (ExecutionException e) {
        // one container gone away must not keep the others on stale backends
        if (first == null) {
          first = e.getCause() instanceof NetworkException ne ? ne : new NetworkException(e.getCause().toString(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NetworkException("interrupted while applying VIP rules", e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public synchronized void setPublishedPorts(Collection<PublishedPort> wanted) throws NetworkException {
    ports = List.copyOf(wanted);
    applyNodeRules();
  }

  @Override
  public synchronized void sweep(Set<String> wantedNetworkIds, Set<String> wantedContainerIds) throws NetworkException {
    Set<String> keep = new HashSet<>();
    wantedNetworkIds.forEach(id -> {
      keep.add(LinkNames.bridge(id));
      keep.add(LinkNames.vxlan(id));
    });
    Set<String> keepVeth = new HashSet<>();
    wantedContainerIds.forEach(id -> keepVeth.add(LinkNames.vethPrefix(id)));
    List<String> batch = new ArrayList<>();
    for (String l : node.linkNames()) {
      boolean ours = l.length() == 12 && (l.startsWith(LinkNames.BRIDGE) || l.startsWith(LinkNames.VXLAN));
      boolean veth = l.length() == 15 && l.startsWith(LinkNames.VETH);
      if (ours && !keep.contains(l) || veth && !keepVeth.contains(l.substring(0, 10))) {
        batch.add("link del " + l);
      }
    }
    node.ipRemovals(batch);
    links.clear();
    links.addAll(node.linkNames());
    if (wantedNetworkIds.isEmpty()) {
      applyNodeRules();
    }
  }

  @Override
  public synchronized Set<String> networks() {
    return Set.copyOf(networks.keySet());
  }

  @Override
  public synchronized List<String> containers() {
    return List.copyOf(containers.keySet());
  }

  @Override
  public void close() {
    // devices and rules stay for the next run (live restore)
    appliers.shutdownNow();
  }

  private OverlayNetwork network(String networkId) throws NetworkException {
    OverlayNetwork n = networks.get(networkId);
    if (n == null) {
      throw new NetworkException("network " + networkId + " is not set up on this node; call ensureNetwork first");
    }
    return n;
  }

  private void applyNodeRules() throws NetworkException {
    String rules = NftRules.node(networks.values(), ports, config.vxlanPort());
    if (!rules.equals(nodeRules)) {
      node.nft(rules);
      nodeRules = rules;
    }
  }

  private void applyContainerRules(ContainerAttachment a) throws NetworkException {
    String rules = containerRulesFor(a);
    if (rules != null) {
      KernelCommands.in(a.netns()).nft(rules);
      containerRules.put(a.containerId(), rules);
    }
  }

  /** The container's VIP table if it differs from what it has, else {@code null}. */
  private String containerRulesFor(ContainerAttachment a) {
    return containerRulesFor(a, containerRules.get(a.containerId()));
  }

  /** The container's VIP table if it differs from {@code has} (null: it has none of ours), else {@code null}. */
  private String containerRulesFor(ContainerAttachment a, String has) {
    Set<String> on = new HashSet<>();
    a.endpoints().forEach(e -> on.add(e.networkId()));
    List<ServiceVip> mine = vips.stream().filter(v -> on.contains(v.networkId())).toList();
    if (mine.isEmpty() && has == null) {
      return null;
    }
    String rules = NftRules.container(mine);
    return rules.equals(has) ? null : rules;
  }

  /**
   * The remote endpoints the kernel holds on {@code vx} (a permanent neighbour entry and an FDB
   * entry for its MAC); removals for halves of endpoints are added to {@code fdb} and {@code neigh}.
   */
  private Set<RemoteEndpoint> kernelPeers(String vx, List<String> fdb, List<String> neigh) throws NetworkException {
    Map<String, String> nodeByMac = new HashMap<>();
    for (String line : node.run(null, "bridge", "fdb", "show", "dev", vx).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 3 && f[1].equals("dst") && !f[0].equals("00:00:00:00:00:00")) {
        nodeByMac.put(f[0], f[2]);
      }
    }
    Set<RemoteEndpoint> found = new HashSet<>();
    Set<String> usedMacs = new HashSet<>();
    for (String line : node.run(null, "ip", "neigh", "show", "dev", vx, "nud", "permanent").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 3 && f[1].equals("lladdr")) {
        String at = nodeByMac.get(f[2]);
        if (at == null) {
          neigh.add("neigh del " + f[0] + " dev " + vx);
        } else {
          found.add(new RemoteEndpoint(f[0], f[2], at));
          usedMacs.add(f[2]);
        }
      }
    }
    nodeByMac.keySet().stream().filter(m -> !usedMacs.contains(m)).forEach(m -> fdb.add("fdb del " + m + " dev " + vx + " self"));
    return found;
  }

  private static String[] underlay(KernelCommands node, String address) throws NetworkException {
    for (String line : node.run(null, "ip", "-o", "-4", "addr", "show").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 3 && f[3].startsWith(address + "/")) {
        String dev = f[1];
        String link = node.run(null, "ip", "-o", "link", "show", "dev", dev);
        String[] w = link.split("\\s+");
        for (int i = 0; i < w.length - 1; i++) {
          if (w[i].equals("mtu")) {
            return new String[] {dev, w[i + 1]};
          }
        }
      }
    }
    throw new NetworkException("no interface holds the underlay address " + address
        + "; give the address of one of this node's interfaces");
  }
}
