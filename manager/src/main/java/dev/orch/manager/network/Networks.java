package dev.orch.manager.network;

import dev.orch.proto.EndpointSpec;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkMode;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PublishMode;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.store.StoreView;
import java.util.List;
import java.util.Optional;

/** Questions about networks that the Control API, the allocator and the dispatcher all ask. */
public final class Networks {
  /** The name of the routing-mesh network made when the cluster is initialised. */
  public static final String INGRESS = "ingress";
  public static final String OVERLAY = "overlay";
  public static final String BRIDGE = "bridge";

  private Networks() {}

  /** The routing-mesh network, if the cluster has one. */
  public static Optional<Network> ingress(StoreView v) {
    return v.networks().stream().filter(n -> n.getSpec().getIngress()).findFirst();
  }

  /** Whether a service publishes ports through the routing mesh (and so joins ingress). */
  public static boolean publishesIngress(EndpointSpec endpoint) {
    return endpoint.getPortsList().stream().anyMatch(p -> p.getMode() == PublishMode.PUBLISH_INGRESS);
  }

  /** Whether the service's tasks get endpoints at all: host and none mode have none. */
  public static boolean attaches(NetworkMode mode) {
    return mode == NetworkMode.NETWORK_MODE_DEFAULT;
  }

  /** Ports published on the node a task runs on (host mode), which the scheduler keeps apart. */
  public static List<PortConfig> hostPorts(List<PortConfig> ports) {
    return ports.stream().filter(p -> p.getMode() == PublishMode.PUBLISH_HOST).toList();
  }

  /**
   * Who keeps {@code networkId} from being removed: a service that lists it, or a task that still
   * holds an endpoint on it. Empty when nothing does.
   */
  public static Optional<String> user(StoreView v, String networkId) {
    for (Service s : v.services()) {
      for (NetworkAttachmentConfig c : s.getSpec().getNetworksList()) {
        if (c.getTarget().equals(networkId)) {
          return Optional.of("service " + s.getSpec().getName());
        }
      }
    }
    for (Task t : v.tasks()) {
      if (t.getNetworksList().stream().anyMatch(a -> a.getNetworkId().equals(networkId))
          && !dev.orch.manager.orchestrator.TaskStates.finished(t)) {
        return Optional.of("task " + t.getServiceName() + "." + t.getSlot() + " (" + t.getMeta().getId() + ")");
      }
    }
    return Optional.empty();
  }
}
