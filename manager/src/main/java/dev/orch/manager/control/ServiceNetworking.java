package dev.orch.manager.control;

import dev.orch.manager.network.Networks;
import dev.orch.proto.EndpointMode;
import dev.orch.proto.EndpointSpec;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkMode;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PortProtocol;
import dev.orch.proto.PublishMode;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.store.StoreView;
import io.grpc.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The networking part of a service spec at the API edge: network modes, the networks (names
 * resolved to ids, so that the spec keeps naming the same network), the endpoint mode and the
 * published ports. Every refusal names the problem and the fix.
 */
final class ServiceNetworking {
  private static final Pattern DNS_NAME =
      Pattern.compile("^[a-zA-Z0-9]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?)*$");

  private ServiceNetworking() {}

  /** {@code spec} with its network targets as ids; {@code serviceId} is empty for a new service. */
  static ServiceSpec resolve(StoreView v, ServiceSpec spec, String serviceId) {
    return resolve(v, spec, serviceId, Map.of());
  }

  /** As above, where {@code planned} (by name) are networks the same transaction creates. */
  static ServiceSpec resolve(StoreView v, ServiceSpec spec, String serviceId, Map<String, Network> planned) {
    NetworkMode mode = spec.getNetworkMode();
    if (mode == NetworkMode.UNRECOGNIZED) {
      throw ServiceSpecValidator.invalid("unknown network mode " + spec.getNetworkModeValue() + ": use host or none");
    }
    if (!Networks.attaches(mode) && spec.getNetworksCount() > 0) {
      throw ServiceSpecValidator.invalid("--network " + modeName(mode) + " cannot be combined with other networks:"
          + " a task is either on the node's network, on none, or on cluster networks");
    }
    ServiceSpec.Builder resolved = spec.toBuilder().clearNetworks();
    Set<String> seen = new HashSet<>();
    for (NetworkAttachmentConfig c : spec.getNetworksList()) {
      Network n = planned.containsKey(c.getTarget()) ? planned.get(c.getTarget())
          : NetworkOperations.find(v, c.getTarget());
      if (n.getSpec().getIngress()) {
        throw ServiceSpecValidator.invalid("network " + n.getSpec().getName() + " is the routing mesh: services join it"
            + " by publishing ports (-p published=8080,target=80), not with --network");
      }
      if (!seen.add(n.getMeta().getId())) {
        throw ServiceSpecValidator.invalid("network " + n.getSpec().getName() + " is listed twice; list it once");
      }
      for (String alias : c.getAliasesList()) {
        if (!DNS_NAME.matcher(alias).matches()) {
          throw ServiceSpecValidator.invalid("invalid alias \"" + alias + "\": use a DNS name (letters, digits, '-')");
        }
      }
      resolved.addNetworks(c.toBuilder().setTarget(n.getMeta().getId()));
    }
    checkEndpoint(spec.getEndpoint(), mode);
    if (Networks.publishesIngress(spec.getEndpoint()) && Networks.ingress(v).isEmpty()) {
      throw Status.FAILED_PRECONDITION.withDescription("the cluster has no ingress network for published ports;"
          + " publish in host mode (-p published=P,target=T,mode=host)").asRuntimeException();
    }
    checkPortsFree(v, spec.getEndpoint(), serviceId);
    return resolved.build();
  }

  private static void checkEndpoint(EndpointSpec endpoint, NetworkMode mode) {
    if (endpoint.getMode() == EndpointMode.UNRECOGNIZED) {
      throw ServiceSpecValidator.invalid("unknown endpoint mode " + endpoint.getModeValue() + ": use vip or dnsrr");
    }
    if (endpoint.getPortsCount() > 0 && !Networks.attaches(mode)) {
      throw ServiceSpecValidator.invalid("ports cannot be published with --network " + modeName(mode)
          + (mode == NetworkMode.NETWORK_MODE_HOST ? ": the container already listens on the node's ports"
              : ": the container has no network"));
    }
    Set<String> seen = new HashSet<>();
    for (PortConfig p : endpoint.getPortsList()) {
      if (p.getTarget() < 1 || p.getTarget() > 65535) {
        throw ServiceSpecValidator.invalid("invalid target port " + p.getTarget() + ": use 1-65535");
      }
      if (p.getPublished() > 65535) {
        throw ServiceSpecValidator.invalid("invalid published port " + p.getPublished() + ": use 1-65535");
      }
      if (p.getProtocol() == PortProtocol.UNRECOGNIZED || p.getMode() == PublishMode.UNRECOGNIZED) {
        throw ServiceSpecValidator.invalid("invalid port " + p.getPublished() + ": protocol tcp|udp, mode ingress|host");
      }
      if (p.getMode() == PublishMode.PUBLISH_HOST && p.getPublished() == 0) {
        throw ServiceSpecValidator.invalid("host-mode port for target " + p.getTarget()
            + " needs a published port: -p published=8080,target=" + p.getTarget() + ",mode=host");
      }
      if (p.getMode() == PublishMode.PUBLISH_INGRESS && endpoint.getMode() == EndpointMode.ENDPOINT_DNSRR) {
        throw ServiceSpecValidator.invalid("port " + describe(p) + " is published in ingress mode, which needs"
            + " --endpoint-mode vip; use mode=host with dnsrr");
      }
      if (p.getPublished() != 0 && !seen.add(p.getPublished() + "/" + p.getProtocol())) {
        throw ServiceSpecValidator.invalid("port " + describe(p) + " is published twice; publish it once");
      }
    }
  }

  /** A routing-mesh port answers on every node, so no other service may publish it, in any mode. */
  private static void checkPortsFree(StoreView v, EndpointSpec endpoint, String serviceId) {
    for (Service other : v.services()) {
      if (other.getMeta().getId().equals(serviceId)) {
        continue;
      }
      List<PortConfig> taken = other.getEndpoint().getPortsCount() > 0
          ? other.getEndpoint().getPortsList() : other.getSpec().getEndpoint().getPortsList();
      for (PortConfig mine : endpoint.getPortsList()) {
        for (PortConfig theirs : taken) {
          if (mine.getPublished() != 0 && mine.getPublished() == theirs.getPublished()
              && mine.getProtocol() == theirs.getProtocol()
              && (theirs.getMode() == PublishMode.PUBLISH_INGRESS || mine.getMode() == PublishMode.PUBLISH_INGRESS)) {
            throw Status.ALREADY_EXISTS.withDescription("port " + describe(mine) + " is already published by service "
                + other.getSpec().getName() + "; choose another published port").asRuntimeException();
          }
        }
      }
    }
  }

  static String describe(PortConfig p) {
    return p.getPublished() + "/" + (p.getProtocol() == PortProtocol.PROTO_UDP ? "udp" : "tcp");
  }

  private static String modeName(NetworkMode mode) {
    return mode == NetworkMode.NETWORK_MODE_HOST ? "host" : "none";
  }
}
