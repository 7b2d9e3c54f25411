package dev.orch.manager.control;

import dev.orch.manager.dispatcher.NodeRequestRouter;
import dev.orch.proto.AgentReply;
import dev.orch.proto.AgentRequest;
import dev.orch.proto.Node;
import dev.orch.proto.VolumeInfo;
import dev.orch.proto.VolumeOp;
import dev.orch.proto.VolumeRequest;
import dev.orch.proto.VolumeResponse;
import dev.orch.proto.VolumesRequest;
import dev.orch.store.Store;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code Volumes}: volumes live on the nodes, so the leader asks each node (one, or every ready
 * node) over its request channel and merges the answers. A removal without a node finds the one
 * node that has the volume first.
 */
final class VolumeRequests {
  private final NodeFanOut nodes;

  VolumeRequests(Store store, NodeRequestRouter router, Supplier<Optional<String>> leaderAddress) {
    this.nodes = new NodeFanOut(store, router, leaderAddress);
  }

  VolumeResponse handle(VolumesRequest req) {
    List<Node> targets = nodes.nodes(req.getNode(), "volume");
    VolumeRequest.Builder ask = VolumeRequest.newBuilder().setOp(req.getOp()).setName(req.getName());
    if (req.getOp() == VolumeOp.VOLUME_REMOVE) {
      if (req.getName().isEmpty()) {
        throw ServiceSpecValidator.invalid("no volume given: name the volume to remove");
      }
      Node node = nodesWith(req.getName(), targets).get(0);
      NodeFanOut.Answer<VolumeResponse> a = fanOut(List.of(node), ask).get(0);
      if (a.error() != null) {
        throw Status.FAILED_PRECONDITION.withDescription("node " + NodeFanOut.name(node) + ": " + a.error())
            .asRuntimeException();
      }
      return VolumeResponse.newBuilder().addAllVolumes(withNode(a.value().getVolumesList(), node)).build();
    }
    return merge(fanOut(targets, ask));
  }

  /** The one node that has volume {@code name}; refused when none or several do. */
  private List<Node> nodesWith(String name, List<Node> candidates) {
    if (candidates.size() == 1) {
      return candidates;
    }
    VolumeResponse all = merge(fanOut(candidates, VolumeRequest.newBuilder().setOp(VolumeOp.VOLUME_LIST)));
    List<String> holders = all.getVolumesList().stream().filter(v -> v.getName().equals(name))
        .map(VolumeInfo::getNodeId).distinct().toList();
    if (holders.isEmpty()) {
      throw Status.NOT_FOUND.withDescription("no volume " + name + " on any ready node" + (all.getErrorsCount() == 0
          ? "" : " that answered (" + String.join("; ", all.getErrorsList()) + ")") + "; see orchctl volume ls")
          .asRuntimeException();
    }
    if (holders.size() > 1) {
      throw Status.FAILED_PRECONDITION.withDescription("volume " + name + " exists on " + holders.size() + " nodes ("
          + String.join(", ", holders) + "): name the one with --node").asRuntimeException();
    }
    return candidates.stream().filter(n -> n.getMeta().getId().equals(holders.get(0))).toList();
  }

  private List<NodeFanOut.Answer<VolumeResponse>> fanOut(List<Node> targets, VolumeRequest.Builder request) {
    return nodes.askAll(targets, AgentRequest.newBuilder().setVolumes(request),
        r -> r.hasVolumes() ? r.getVolumes() : null);
  }

  private static VolumeResponse merge(List<NodeFanOut.Answer<VolumeResponse>> answers) {
    List<VolumeInfo> volumes = new ArrayList<>();
    VolumeResponse.Builder out = VolumeResponse.newBuilder();
    for (NodeFanOut.Answer<VolumeResponse> a : answers) {
      if (a.error() != null) {
        out.addErrors("node " + NodeFanOut.name(a.node()) + ": " + a.error());
      } else {
        volumes.addAll(withNode(a.value().getVolumesList(), a.node()));
      }
    }
    volumes.sort(Comparator.comparing(VolumeInfo::getNodeHostname).thenComparing(VolumeInfo::getName));
    return out.addAllVolumes(volumes).build();
  }

  private static List<VolumeInfo> withNode(List<VolumeInfo> volumes, Node node) {
    return volumes.stream().map(v -> v.toBuilder().setNodeId(node.getMeta().getId())
        .setNodeHostname(node.getDescription().getHostname()).build()).toList();
  }
}
