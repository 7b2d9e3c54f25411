package dev.orch.manager.network;

import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.net.Cidr;
import dev.orch.net.Ipam;
import dev.orch.net.IpamException;
import dev.orch.net.Ipv4;
import dev.orch.net.NetworkAllocation;
import dev.orch.net.NetworkRequest;
import dev.orch.net.VniPool;
import dev.orch.proto.Cluster;
import dev.orch.proto.Endpoint;
import dev.orch.proto.EndpointMode;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAttachment;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PublishMode;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.VirtualIp;
import dev.orch.store.StoreView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The leader's network address book: subnets and VXLAN ids of networks, service VIPs, task
 * endpoint addresses and published ports, on top of {@link Ipam}. It holds what the store holds and
 * nothing more: {@link #rebuild} replays the store (a new leader, or after a refused commit), and
 * what a removed network, a removed service or a finished task held goes back to the pools when
 * {@link #releaseGone} sees it gone. Decisions are made here and committed by the caller; one
 * thread only.
 *
 * <p>An address is in use exactly while a network has it as gateway, a service as VIP, or a task
 * that has not finished as its endpoint; so the state rebuilt from the store on any manager equals
 * the state the previous leader had, and nothing leaks across a leader change.
 */
public final class NetworkAllocator {
  /** The dynamic range of published ports, as docker's. */
  public static final int FIRST_DYNAMIC_PORT = 30000;
  public static final int LAST_DYNAMIC_PORT = 32767;

  private Ipam ipam;
  private final Set<String> networks = new HashSet<>();
  private final Map<String, List<Held>> byTask = new HashMap<>();
  private final Map<String, Held> byNode = new HashMap<>();
  private final Map<String, List<Held>> vipsByService = new HashMap<>();
  private final Map<String, List<String>> portsByService = new HashMap<>();
  private final Set<String> ports = new HashSet<>();
  private int portCursor = FIRST_DYNAMIC_PORT;

  /** An address held on a network. */
  private record Held(String networkId, String ip) {}

  /** Forgets everything and takes back what {@code v} records as allocated. */
  public void rebuild(StoreView v) {
    ipam = newIpam(v.cluster());
    networks.clear();
    byTask.clear();
    byNode.clear();
    vipsByService.clear();
    portsByService.clear();
    ports.clear();
    for (Network n : v.networks()) {
      if (allocated(n)) {
        restore(n);
      }
    }
    for (Service s : v.services()) {
      List<Held> vips = new ArrayList<>();
      for (VirtualIp vip : s.getEndpoint().getVipsList()) {
        if (take(vip.getNetworkId(), ip(vip.getAddr()))) {
          vips.add(new Held(vip.getNetworkId(), ip(vip.getAddr())));
        }
      }
      vipsByService.put(s.getMeta().getId(), vips);
      List<String> keys = new ArrayList<>();
      for (PortConfig p : s.getEndpoint().getPortsList()) {
        if (ports.add(portKey(p))) {
          keys.add(portKey(p));
        }
      }
      portsByService.put(s.getMeta().getId(), keys);
    }
    Optional<Network> ingress = Networks.ingress(v);
    for (dev.orch.proto.Node n : v.nodes()) {
      if (ingress.isPresent() && !n.getIngressAddr().isEmpty()
          && take(ingress.get().getMeta().getId(), ip(n.getIngressAddr()))) {
        byNode.put(n.getMeta().getId(), new Held(ingress.get().getMeta().getId(), ip(n.getIngressAddr())));
      }
    }
    for (Task t : v.tasks()) {
      if (t.getNetworksCount() == 0 || TaskStates.finished(t)) {
        continue;
      }
      List<Held> held = new ArrayList<>();
      for (NetworkAttachment a : t.getNetworksList()) {
        if (take(a.getNetworkId(), ip(a.getAddr()))) {
          held.add(new Held(a.getNetworkId(), ip(a.getAddr())));
        }
      }
      byTask.put(t.getMeta().getId(), held);
    }
  }

  private static Ipam newIpam(Optional<Cluster> cluster) {
    String pool = cluster.map(Cluster::getDefaultAddrPool).filter(p -> !p.isEmpty()).orElse(Ipam.DEFAULT_POOL);
    int size = cluster.map(Cluster::getDefaultSubnetSize).filter(s -> s > 0).orElse(Ipam.DEFAULT_SUBNET_PREFIX);
    return new Ipam(Cidr.parse(pool), size, new VniPool());
  }

  private void restore(Network n) {
    try {
      ipam.restoreNetwork(allocationOf(n));
      networks.add(n.getMeta().getId());
    } catch (IpamException | IllegalArgumentException e) {
      // Two networks recorded with overlapping subnets cannot both be restored; the first keeps it.
      throw new IllegalStateException("network " + n.getSpec().getName() + ": " + e.getMessage(), e);
    }
  }

  private boolean take(String networkId, String ip) {
    try {
      ipam.allocateAddress(networkId, ip);
      return true;
    } catch (IpamException e) {
      return false; // its network is gone, or a duplicate the store should never hold: not ours to free
    }
  }

  /** Returns to the pools what objects that are gone or finished held; changes nothing in the store. */
  public void releaseGone(StoreView v) {
    releaseGone(v, List.copyOf(byTask.keySet()), List.copyOf(byNode.keySet()));
  }

  /**
   * Like {@link #releaseGone(StoreView)}, looking only at {@code tasks} and {@code nodes} (those
   * that changed since the last pass) among tasks and nodes; services and networks are few and
   * all looked at.
   */
  public void releaseGone(StoreView v, Collection<String> tasks, Collection<String> nodes) {
    for (String id : tasks) {
      Optional<Task> t = v.task(id);
      if (byTask.containsKey(id) && (t.isEmpty() || TaskStates.finished(t.get()))) {
        byTask.remove(id).forEach(this::free);
      }
    }
    for (String id : nodes) {
      Held held = byNode.get(id);
      Optional<dev.orch.proto.Node> n = v.node(id);
      // Gone, or its address was lost to a concurrent write of the node: the allocator gives it a new one.
      if (held != null && (n.isEmpty() || !ip(n.get().getIngressAddr()).equals(held.ip()))) {
        free(held);
        byNode.remove(id);
      }
    }
    for (var it = vipsByService.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (v.service(e.getKey()).isEmpty()) {
        e.getValue().forEach(this::free);
        ports.removeAll(portsByService.getOrDefault(e.getKey(), List.of()));
        portsByService.remove(e.getKey());
        it.remove();
      }
    }
    for (var it = networks.iterator(); it.hasNext(); ) {
      String id = it.next();
      if (v.network(id).isEmpty()) {
        try {
          ipam.releaseNetwork(id);
        } catch (IpamException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
        it.remove();
      }
    }
  }

  private void free(Held h) {
    try {
      ipam.releaseAddress(h.networkId(), h.ip());
    } catch (IpamException e) {
      // the network went first and took its addresses with it
    }
  }

  /** Whether the network has its subnet. */
  public static boolean allocated(Network n) {
    return !n.getAllocated().getSubnet().isEmpty();
  }

  /** Gives a network its subnet, gateway and (overlay) VXLAN id. */
  public Network allocate(Network n) throws IpamException {
    NetworkRequest request = new NetworkRequest(
        n.getSpec().getSubnet().isEmpty() ? null : n.getSpec().getSubnet(),
        n.getSpec().getGateway().isEmpty() ? null : n.getSpec().getGateway(),
        !Networks.BRIDGE.equals(n.getSpec().getDriver()));
    NetworkAllocation a = ipam.allocateNetwork(n.getMeta().getId(), request);
    networks.add(n.getMeta().getId());
    return n.toBuilder().setAllocated(dev.orch.proto.NetworkAllocation.newBuilder()
        .setSubnet(a.subnet().toString())
        .setGateway(a.gateway() + "/" + a.subnet().prefix())
        .setVni(a.vni()))
        .build();
  }

  private static NetworkAllocation allocationOf(Network n) {
    Cidr subnet = Cidr.parse(n.getAllocated().getSubnet());
    return new NetworkAllocation(n.getMeta().getId(), subnet, ip(n.getAllocated().getGateway()),
        n.getAllocated().getVni());
  }

  /**
   * The endpoint {@code s} should have: a VIP on each of its networks (vip mode), its published
   * ports with the dynamic ones filled in. Keeps what {@code s} already holds where it still fits.
   * Returns empty when a network of the service has no subnet yet.
   */
  public Optional<Endpoint> endpointFor(Service s) throws IpamException {
    String id = s.getMeta().getId();
    Endpoint current = s.getEndpoint();
    Endpoint.Builder next = Endpoint.newBuilder().setSpec(s.getSpec().getEndpoint());
    if (Networks.attaches(s.getSpec().getNetworkMode()) && s.getSpec().getEndpoint().getMode() == EndpointMode.ENDPOINT_VIP) {
      for (NetworkAttachmentConfig c : s.getSpec().getNetworksList()) {
        if (!networks.contains(c.getTarget())) {
          return Optional.empty();
        }
        Optional<VirtualIp> kept = current.getVipsList().stream()
            .filter(vip -> vip.getNetworkId().equals(c.getTarget())).findFirst();
        String addr = kept.isPresent() ? kept.get().getAddr() : cidrOf(c.getTarget(), newAddress(c.getTarget()));
        next.addVips(VirtualIp.newBuilder().setNetworkId(c.getTarget()).setAddr(addr));
      }
    }
    List<String> heldPorts = portsByService.getOrDefault(id, List.of());
    Set<String> mine = new HashSet<>();
    for (PortConfig p : s.getSpec().getEndpoint().getPortsList()) {
      PortConfig.Builder b = p.toBuilder();
      if (p.getPublished() == 0) {
        b.setPublished(current.getPortsList().stream()
            .filter(old -> old.getTarget() == p.getTarget() && old.getProtocol() == p.getProtocol()
                && old.getMode() == p.getMode() && heldPorts.contains(portKey(old)) && !mine.contains(portKey(old)))
            .mapToInt(PortConfig::getPublished).findFirst()
            .orElseGet(() -> dynamicPort(p)));
      }
      mine.add(portKey(b.build()));
      next.addPorts(b);
    }
    if (next.getVipsCount() == 0 && next.getPortsCount() == 0
        && s.getSpec().getEndpoint().equals(dev.orch.proto.EndpointSpec.getDefaultInstance())) {
      return Optional.of(Endpoint.getDefaultInstance()); // most services: nothing to store
    }
    return Optional.of(next.build());
  }

  /** After the service was written with {@code endpoint}: takes its ports and frees what it no longer holds. */
  public void committed(Service s, Endpoint endpoint) {
    String id = s.getMeta().getId();
    List<Held> oldVips = vipsByService.getOrDefault(id, List.of());
    List<Held> newVips = endpoint.getVipsList().stream().map(v -> new Held(v.getNetworkId(), ip(v.getAddr()))).toList();
    oldVips.stream().filter(h -> !newVips.contains(h)).forEach(this::free);
    vipsByService.put(id, new ArrayList<>(newVips));
    List<String> newPorts = endpoint.getPortsList().stream().map(NetworkAllocator::portKey).toList();
    ports.removeAll(portsByService.getOrDefault(id, List.of()));
    ports.addAll(newPorts);
    portsByService.put(id, newPorts);
  }

  /**
   * The endpoints of a new task: one address on each network of its spec, and on ingress when
   * its service publishes through the routing mesh. Empty when a network has no subnet yet.
   */
  public Optional<List<NetworkAttachment>> attach(Task t, Optional<Network> ingress) throws IpamException {
    if (!Networks.attaches(t.getSpec().getNetworkMode())) {
      return Optional.of(List.of());
    }
    List<NetworkAttachmentConfig> wanted = new ArrayList<>(t.getSpec().getNetworksList());
    if (Networks.publishesIngress(dev.orch.proto.EndpointSpec.newBuilder().addAllPorts(t.getSpec().getPortsList()).build())) {
      if (ingress.isEmpty()) {
        return Optional.empty();
      }
      wanted.add(NetworkAttachmentConfig.newBuilder().setTarget(ingress.get().getMeta().getId()).build());
    }
    for (NetworkAttachmentConfig c : wanted) {
      if (!networks.contains(c.getTarget())) {
        return Optional.empty();
      }
    }
    List<NetworkAttachment> out = new ArrayList<>();
    List<Held> held = new ArrayList<>();
    try {
      for (NetworkAttachmentConfig c : wanted) {
        String ip = newAddress(c.getTarget());
        held.add(new Held(c.getTarget(), ip));
        out.add(NetworkAttachment.newBuilder()
            .setNetworkId(c.getTarget())
            .setAddr(cidrOf(c.getTarget(), ip))
            .setMac(Ipv4.macFor(ip))
            .addAllAliases(c.getAliasesList())
            .build());
      }
    } catch (IpamException e) {
      held.forEach(this::free);
      throw e;
    }
    byTask.put(t.getMeta().getId(), held);
    return Optional.of(out);
  }

  /** A node's own address on the ingress network (CIDR), or empty when ingress has no subnet yet. */
  public Optional<String> nodeAddress(dev.orch.proto.Node n, Network ingress) throws IpamException {
    String networkId = ingress.getMeta().getId();
    if (!networks.contains(networkId)) {
      return Optional.empty();
    }
    String ip = newAddress(networkId);
    byNode.put(n.getMeta().getId(), new Held(networkId, ip));
    return Optional.of(cidrOf(networkId, ip));
  }

  /** Takes back what {@link #attach} gave a task whose commit was refused. */
  public void detach(String taskId) {
    List<Held> held = byTask.remove(taskId);
    if (held != null) {
      held.forEach(this::free);
    }
  }

  /** Frees an address {@link #endpointFor} took for a service whose commit was refused. */
  public void forgetUncommitted(Service s, Endpoint proposed) {
    List<Held> committed = vipsByService.getOrDefault(s.getMeta().getId(), List.of());
    proposed.getVipsList().stream()
        .map(v -> new Held(v.getNetworkId(), ip(v.getAddr())))
        .filter(h -> !committed.contains(h))
        .forEach(this::free);
  }

  private String newAddress(String networkId) throws IpamException {
    return ipam.allocateAddress(networkId);
  }

  private String cidrOf(String networkId, String ip) throws IpamException {
    NetworkAllocation a = ipam.network(networkId)
        .orElseThrow(() -> new IpamException("network " + networkId + " has no subnet"));
    return ip + "/" + a.subnet().prefix();
  }

  private int dynamicPort(PortConfig p) {
    int span = LAST_DYNAMIC_PORT - FIRST_DYNAMIC_PORT + 1;
    for (int i = 0; i < span; i++) {
      int port = FIRST_DYNAMIC_PORT + (portCursor - FIRST_DYNAMIC_PORT + i) % span;
      String key = portKey(p.toBuilder().setPublished(port).build());
      if (!ports.contains(key)) {
        portCursor = port + 1 > LAST_DYNAMIC_PORT ? FIRST_DYNAMIC_PORT : port + 1;
        ports.add(key);
        return port;
      }
    }
    throw new IllegalStateException("no free published port left in " + FIRST_DYNAMIC_PORT + "-" + LAST_DYNAMIC_PORT
        + "; give published ports explicitly or remove unused services");
  }

  /** Ingress ports are cluster-wide; host-mode ones are per node and kept apart by the scheduler. */
  private static String portKey(PortConfig p) {
    return p.getPublished() + "/" + p.getProtocol() + (p.getMode() == PublishMode.PUBLISH_HOST ? "/host" : "");
  }

  /** The address part of {@code a.b.c.d/n}. */
  static String ip(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }

  /** Addresses in use on a network (tests and metrics). */
  public int addressesInUse(String networkId) throws IpamException {
    return ipam.addressesInUse(networkId);
  }

  /** Networks holding a subnet. */
  public int networkCount() {
    return ipam.networkCount();
  }

  /** Published ports held, ingress and host mode. */
  public int portsInUse() {
    return ports.size();
  }
}
