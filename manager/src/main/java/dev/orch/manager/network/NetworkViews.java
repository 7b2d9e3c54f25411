package dev.orch.manager.network;

import dev.orch.manager.orchestrator.TaskStates;
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
import dev.orch.proto.Task;
import dev.orch.proto.TaskHealth;
import dev.orch.proto.TaskState;
import dev.orch.proto.VirtualIp;
import dev.orch.store.StoreView;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a node must know to program a network (its {@link NetworkState}: every endpoint on every
 * node, the services with their VIPs and names), and which nodes must know it: those running an
 * endpoint on it, and for ingress every node, since the routing mesh answers everywhere.
 * Computed from the store in one pass over the tasks, for any number of networks at once.
 */
public final class NetworkViews {
  private NetworkViews() {}

  /**
   * A network as the nodes should see it now.
   *
   * @param state what to send; null when the network no longer exists
   * @param nodes the nodes that need it
   */
  public record View(String networkId, NetworkState state, Set<String> nodes) {}

  /** The views of {@code networkIds} (gone ones with a null state and no nodes). */
  public static Map<String, View> of(StoreView v, Collection<String> networkIds) {
    Map<String, NetworkState.Builder> states = new HashMap<>();
    Map<String, Set<String>> nodes = new HashMap<>();
    for (String id : networkIds) {
      v.network(id).ifPresent(n -> {
        states.put(id, NetworkState.newBuilder().setNetwork(n));
        nodes.put(id, new TreeSet<>());
      });
    }
    Map<String, String> nodeAddrs = new HashMap<>();
    for (Node n : v.nodes()) {
      nodeAddrs.put(n.getMeta().getId(), host(n.getStatus().getAddr()));
    }
    NetworkState.Builder ingressState = Networks.ingress(v).map(n -> states.get(n.getMeta().getId())).orElse(null);
    if (ingressState != null) {
      // Each node's own ingress address: an endpoint without a task, the source the mesh forwards from.
      for (Node n : v.nodes()) {
        if (!n.getIngressAddr().isEmpty()) {
          ingressState.addEndpoints(NetworkEndpoint.newBuilder()
              .setAddr(n.getIngressAddr())
              .setMac(dev.orch.net.Ipv4.macFor(NetworkAllocator.ip(n.getIngressAddr())))
              .setNodeId(n.getMeta().getId())
              .setNodeAddr(host(n.getStatus().getAddr())));
        }
      }
    }
    for (Task t : v.tasks()) {
      if (t.getNetworksCount() == 0 || t.getNodeId().isEmpty() || TaskStates.finished(t)) {
        continue;
      }
      for (NetworkAttachment a : t.getNetworksList()) {
        NetworkState.Builder s = states.get(a.getNetworkId());
        if (s != null) {
          s.addEndpoints(endpoint(t, a, nodeAddrs.getOrDefault(t.getNodeId(), "")));
          nodes.get(a.getNetworkId()).add(t.getNodeId());
        }
      }
    }
    boolean meshInUse = false;
    for (Service svc : v.services()) {
      meshInUse |= Networks.publishesIngress(svc.getSpec().getEndpoint());
      for (var e : states.entrySet()) {
        ServiceBinding b = binding(svc, e.getValue().getNetwork());
        if (b != null) {
          e.getValue().addServices(b);
        }
      }
    }
    Map<String, View> out = new HashMap<>();
    for (String id : networkIds) {
      NetworkState.Builder s = states.get(id);
      if (s == null) {
        out.put(id, new View(id, null, Set.of()));
        continue;
      }
      Set<String> needs = nodes.get(id);
      if (s.getNetwork().getSpec().getIngress() && meshInUse) {
        needs.addAll(nodeAddrs.keySet());
      }
      out.put(id, new View(id, s.build(), needs));
    }
    return out;
  }

  /** The ids of the networks {@code nodeId} takes part in, for the complete set of a new stream. */
  public static Set<String> networksOf(StoreView v, String nodeId) {
    Set<String> ids = new HashSet<>();
    for (Task t : v.tasksByNode(nodeId)) {
      if (!TaskStates.finished(t)) {
        t.getNetworksList().forEach(a -> ids.add(a.getNetworkId()));
      }
    }
    if (v.services().stream().anyMatch(s -> Networks.publishesIngress(s.getSpec().getEndpoint()))) {
      Networks.ingress(v).ifPresent(n -> ids.add(n.getMeta().getId()));
    }
    return ids;
  }

  /** The networks a change of {@code s} concerns: those it is on, and ingress if it publishes. */
  public static Set<String> networksOf(StoreView v, Service s) {
    Set<String> ids = new HashSet<>();
    s.getSpec().getNetworksList().forEach(c -> ids.add(c.getTarget()));
    s.getEndpoint().getVipsList().forEach(vip -> ids.add(vip.getNetworkId()));
    if (Networks.publishesIngress(s.getSpec().getEndpoint()) || s.getEndpoint().getPortsCount() > 0) {
      Networks.ingress(v).ifPresent(n -> ids.add(n.getMeta().getId()));
    }
    return ids;
  }

  private static NetworkEndpoint endpoint(Task t, NetworkAttachment a, String nodeAddr) {
    return NetworkEndpoint.newBuilder()
        .setTaskId(t.getMeta().getId())
        .setTaskName(taskName(t))
        .setServiceName(t.getServiceName())
        .setAddr(a.getAddr())
        .setMac(a.getMac())
        .setNodeId(t.getNodeId())
        .setNodeAddr(nodeAddr)
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
