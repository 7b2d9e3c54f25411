package dev.orch.manager.network;

import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.proto.ActionType;
import dev.orch.proto.EndpointMode;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAttachment;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkEndpoint;
import dev.orch.proto.NetworkState;
import dev.orch.proto.Node;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PublishMode;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceBinding;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;
import dev.orch.proto.TaskHealth;
import dev.orch.proto.TaskState;
import dev.orch.proto.VirtualIp;
import dev.orch.proto.WatchEvent;
import dev.orch.store.StoreView;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a node must know to program a network (its {@link NetworkState}: every endpoint on every
 * node, the services with their VIPs and names), and which nodes must know it: those running an
 * endpoint on it, and for ingress every node while a service publishes a port through the routing
 * mesh (before that, no node needs ingress at all).
 *
 * <p>Kept as an index fed by the store's change events ({@link #apply}), one entry per endpoint,
 * node and bound service, so that a view costs the size of its network to build, and a change
 * costs the objects it touches: a node that joins adds one ingress endpoint instead of making the
 * view re-read every node and task of the cluster. {@link #load} fills it from the store once.
 * Thread-safe: events arrive on the store's apply thread, views are read from others.
 */
public final class NetworkViews {
  /**
   * A network as the nodes should see it now.
   *
   * @param state what to send; null when the network no longer exists
   * @param nodes the nodes that need it
   */
  public record View(String networkId, NetworkState state, Set<String> nodes) {}

  private final Map<String, Network> networks = new HashMap<>();
  /** Task endpoints (without their node's address, added when a view is built) by network, then task id. */
  private final Map<String, TreeMap<String, NetworkEndpoint>> endpoints = new HashMap<>();
  /** How many task endpoints each node holds, by network: the nodes that need the network. */
  private final Map<String, Map<String, Integer>> endpointNodes = new HashMap<>();
  /** The networks each task has endpoints on, so that its next change takes them back. */
  private final Map<String, List<NetworkAttachment>> taskAttachments = new HashMap<>();
  private final Map<String, String> taskNodes = new HashMap<>();
  /** Every node's underlay host, by node id (every node, since each needs ingress when the mesh is in use). */
  private final Map<String, String> nodeHosts = new HashMap<>();
  /** Each node's own ingress address, by node id in order: the endpoints of ingress without a task. */
  private final TreeMap<String, String> nodeIngress = new TreeMap<>();
  /** Services that can appear in a view (on a network, or publishing through the mesh), by id in order. */
  private final TreeMap<String, Service> services = new TreeMap<>();
  private final Set<String> publishing = new HashSet<>();

  /** Replaces everything with what {@code v} holds. */
  public synchronized void load(StoreView v) {
    networks.clear();
    endpoints.clear();
    endpointNodes.clear();
    taskAttachments.clear();
    taskNodes.clear();
    nodeHosts.clear();
    nodeIngress.clear();
    services.clear();
    publishing.clear();
    v.networks().forEach(this::putNetwork);
    v.nodes().forEach(this::putNode);
    v.services().forEach(this::putService);
    for (Task t : v.tasks()) {
      if (t.getNetworksCount() > 0) {
        putTask(t);
      }
    }
  }

  /** Takes in one change of the store and returns the networks whose view it may have changed. */
  public synchronized Changed apply(WatchEvent e) {
    StoredObject o = e.getObject();
    boolean deleted = e.getType() == ActionType.DELETE;
    Set<String> ids = new HashSet<>();
    switch (o.getObjectCase()) {
      case TASK -> {
        Task t = o.getTask();
        List<NetworkAttachment> before = taskAttachments.get(t.getMeta().getId());
        if (before == null && t.getNetworksCount() == 0) {
          return Changed.NONE; // most tasks of most clusters: nothing to do, nothing to allocate
        }
        removeTask(t.getMeta().getId(), ids);
        if (!deleted) {
          ids.addAll(putTask(t));
        }
      }
      case SERVICE -> {
        Service s = o.getService();
        Service before = services.remove(s.getMeta().getId());
        boolean wasPublishing = publishing.remove(s.getMeta().getId());
        if (before != null) {
          ids.addAll(networksOf(before));
        }
        if (!deleted) {
          putService(s);
          ids.addAll(networksOf(s));
        }
        if (wasPublishing != publishing.contains(s.getMeta().getId()) || hasPorts(s)
            || before != null && hasPorts(before)) {
          ingressId().ifPresent(ids::add); // who needs ingress, or its published ports, changed
        }
      }
      case NETWORK -> {
        Network n = o.getNetwork();
        networks.remove(n.getMeta().getId());
        if (!deleted) {
          putNetwork(n);
        }
        ids.add(n.getMeta().getId());
      }
      case NODE -> {
        Node n = o.getNode();
        String id = n.getMeta().getId();
        String hostBefore = nodeHosts.remove(id);
        String ingressBefore = nodeIngress.remove(id);
        if (!deleted) {
          putNode(n);
        }
        String hostNow = nodeHosts.get(id);
        if (hostBefore != null && !hostBefore.equals(hostNow)) {
          // It moved: its peers must follow on every network where it has an endpoint.
          endpointNodes.forEach((networkId, nodes) -> {
            if (nodes.containsKey(id)) {
              ids.add(networkId);
            }
          });
          if (ingressBefore != null || nodeIngress.containsKey(id)) {
            ingressId().ifPresent(ids::add);
          }
        }
        // A node that came or went changes who needs ingress (when the mesh is in use), and its
        // own ingress address is an endpoint of ingress.
        boolean meshNodes = !publishing.isEmpty() && (hostBefore == null) != (hostNow == null);
        if (meshNodes || !java.util.Objects.equals(ingressBefore, nodeIngress.get(id))) {
          ingressId().ifPresent(ids::add);
        }
      }
      default -> {
        return Changed.NONE;
      }
    }
    return ids.isEmpty() ? Changed.NONE : new Changed(ids);
  }

  /** The networks a change concerns. */
  public record Changed(Set<String> networkIds) {
    static final Changed NONE = new Changed(Set.of());
  }

  /** The id of the routing-mesh network, if known. */
  public synchronized java.util.Optional<String> ingressId() {
    return networks.values().stream().filter(n -> n.getSpec().getIngress()).map(n -> n.getMeta().getId()).findFirst();
  }

  /** The views of {@code networkIds} (gone ones with a null state and no nodes). */
  public synchronized Map<String, View> of(Collection<String> networkIds) {
    Map<String, View> out = new HashMap<>();
    for (String id : networkIds) {
      out.put(id, view(id));
    }
    return out;
  }

  /**
   * Who needs network {@code id} now; cheaper than its view, which a caller needs only when some
   * node needs the network or may still hold it.
   */
  public synchronized Set<String> nodesNeeding(String id) {
    Network n = networks.get(id);
    if (n == null) {
      return Set.of();
    }
    Set<String> needs = new TreeSet<>(endpointNodes.getOrDefault(id, Map.of()).keySet());
    if (n.getSpec().getIngress() && !publishing.isEmpty()) {
      needs.addAll(nodeHosts.keySet());
    }
    return needs;
  }

  /** The ids of the networks {@code nodeId} takes part in, for the complete set of a new stream. */
  public synchronized Set<String> networksOf(String nodeId) {
    Set<String> ids = new HashSet<>();
    endpointNodes.forEach((networkId, nodes) -> {
      if (nodes.containsKey(nodeId)) {
        ids.add(networkId);
      }
    });
    if (!publishing.isEmpty()) {
      ingressId().ifPresent(ids::add);
    }
    return ids;
  }

  private View view(String id) {
    Network network = networks.get(id);
    if (network == null) {
      return new View(id, null, Set.of());
    }
    NetworkState.Builder state = NetworkState.newBuilder().setNetwork(network);
    if (network.getSpec().getIngress()) {
      // Each node's own ingress address: an endpoint without a task, the source the mesh forwards from.
      nodeIngress.forEach((nodeId, addr) -> state.addEndpoints(NetworkEndpoint.newBuilder()
          .setAddr(addr)
          .setMac(dev.orch.net.Ipv4.macFor(NetworkAllocator.ip(addr)))
          .setNodeId(nodeId)
          .setNodeAddr(nodeHosts.getOrDefault(nodeId, ""))));
    }
    for (NetworkEndpoint e : endpoints.getOrDefault(id, new TreeMap<>()).values()) {
      state.addEndpoints(e.toBuilder().setNodeAddr(nodeHosts.getOrDefault(e.getNodeId(), "")));
    }
    for (Service svc : services.values()) {
      ServiceBinding b = binding(svc, network);
      if (b != null) {
        state.addServices(b);
      }
    }
    return new View(id, state.build(), nodesNeeding(id));
  }

  private void putNetwork(Network n) {
    networks.put(n.getMeta().getId(), n);
  }

  private void putNode(Node n) {
    String id = n.getMeta().getId();
    nodeHosts.put(id, host(n.getStatus().getAddr()));
    if (!n.getIngressAddr().isEmpty()) {
      nodeIngress.put(id, n.getIngressAddr());
    }
  }

  private void putService(Service s) {
    if (Networks.publishesIngress(s.getSpec().getEndpoint())) {
      publishing.add(s.getMeta().getId());
    }
    if (s.getSpec().getNetworksCount() > 0 || s.getEndpoint().getVipsCount() > 0
        || publishing.contains(s.getMeta().getId()) || hasPorts(s)) {
      services.put(s.getMeta().getId(), s);
    }
  }

  private static boolean hasPorts(Service s) {
    return s.getEndpoint().getPortsCount() > 0 || s.getSpec().getEndpoint().getPortsCount() > 0;
  }

  /** The networks a change of {@code s} concerns: those it is on (ingress is added by the caller). */
  private static Set<String> networksOf(Service s) {
    Set<String> ids = new HashSet<>();
    s.getSpec().getNetworksList().forEach(c -> ids.add(c.getTarget()));
    s.getEndpoint().getVipsList().forEach(vip -> ids.add(vip.getNetworkId()));
    return ids;
  }

  /** Records the endpoints of a placed, unfinished task; returns the networks they are on. */
  private Set<String> putTask(Task t) {
    if (t.getNetworksCount() == 0 || t.getNodeId().isEmpty() || TaskStates.finished(t)) {
      return Set.of();
    }
    String taskId = t.getMeta().getId();
    Set<String> ids = new HashSet<>();
    for (NetworkAttachment a : t.getNetworksList()) {
      endpoints.computeIfAbsent(a.getNetworkId(), k -> new TreeMap<>()).put(taskId, endpoint(t, a));
      endpointNodes.computeIfAbsent(a.getNetworkId(), k -> new HashMap<>()).merge(t.getNodeId(), 1, Integer::sum);
      ids.add(a.getNetworkId());
    }
    taskAttachments.put(taskId, t.getNetworksList());
    taskNodes.put(taskId, t.getNodeId());
    return ids;
  }

  private void removeTask(String taskId, Set<String> changed) {
    List<NetworkAttachment> before = taskAttachments.remove(taskId);
    String node = taskNodes.remove(taskId);
    if (before == null) {
      return;
    }
    for (NetworkAttachment a : before) {
      String networkId = a.getNetworkId();
      TreeMap<String, NetworkEndpoint> onNetwork = endpoints.get(networkId);
      if (onNetwork != null && onNetwork.remove(taskId) != null && onNetwork.isEmpty()) {
        endpoints.remove(networkId);
      }
      Map<String, Integer> nodes = endpointNodes.get(networkId);
      if (nodes != null && nodes.computeIfPresent(node, (k, c) -> c > 1 ? c - 1 : null) == null && nodes.isEmpty()) {
        endpointNodes.remove(networkId);
      }
      changed.add(networkId);
    }
  }

  private static NetworkEndpoint endpoint(Task t, NetworkAttachment a) {
    return NetworkEndpoint.newBuilder()
        .setTaskId(t.getMeta().getId())
        .setTaskName(taskName(t))
        .setServiceName(t.getServiceName())
        .setAddr(a.getAddr())
        .setMac(a.getMac())
        .setNodeId(t.getNodeId())
        .addAllAliases(a.getAliasesList())
        .setRunning(backend(t))
        .build();
  }

  /** A task that takes connections: running, still wanted, and healthy if it has a health check. */
  static boolean backend(Task t) {
    TaskHealth health = t.getStatus().getHealth();
    return t.getStatus().getState() == TaskState.RUNNING && TaskStates.wanted(t)
        && (health == TaskHealth.HEALTH_NONE || health == TaskHealth.HEALTH_HEALTHY);
  }

  /** Docker's task name, a DNS name: SERVICE.SLOT.TASKID (SERVICE.NODEID.TASKID for global tasks). */
  public static String taskName(Task t) {
    String middle = t.getGlobalNodeId().isEmpty() ? Long.toString(t.getSlot()) : t.getGlobalNodeId();
    return t.getServiceName() + "." + middle + "." + t.getMeta().getId();
  }

  /** How {@code svc} appears on network {@code n}, or null when it is not on it. */
  private static ServiceBinding binding(Service svc, Network n) {
    String id = n.getMeta().getId();
    boolean ingress = n.getSpec().getIngress();
    NetworkAttachmentConfig config = svc.getSpec().getNetworksList().stream()
        .filter(c -> c.getTarget().equals(id)).findFirst().orElse(null);
    if (config == null && !(ingress && Networks.publishesIngress(svc.getSpec().getEndpoint()))) {
      return null;
    }
    ServiceBinding.Builder b = ServiceBinding.newBuilder()
        .setServiceId(svc.getMeta().getId())
        .setName(svc.getSpec().getName())
        .setMode(svc.getSpec().getEndpoint().getMode());
    if (config != null) {
      b.addAllAliases(config.getAliasesList());
    }
    if (svc.getSpec().getEndpoint().getMode() == EndpointMode.ENDPOINT_VIP) {
      svc.getEndpoint().getVipsList().stream().filter(vip -> vip.getNetworkId().equals(id))
          .map(VirtualIp::getAddr).findFirst().ifPresent(b::setVip);
    }
    if (ingress) {
      List<PortConfig> mesh = svc.getEndpoint().getPortsList().stream()
          .filter(p -> p.getMode() == PublishMode.PUBLISH_INGRESS && p.getPublished() != 0).toList();
      b.addAllPorts(mesh);
    }
    return b.build();
  }

  /** The host part of {@code host[:port]}. */
  static String host(String addr) {
    int colon = addr.lastIndexOf(':');
    return colon > 0 && addr.indexOf(':') == colon ? addr.substring(0, colon) : addr;
  }
}
