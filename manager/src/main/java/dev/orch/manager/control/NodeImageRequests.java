package dev.orch.manager.control;

import dev.orch.manager.dispatcher.NodeRequestRouter;
import dev.orch.proto.AgentRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeImageInfo;
import dev.orch.proto.NodeImageOp;
import dev.orch.proto.NodeImageRequest;
import dev.orch.proto.NodeImageResponse;
import dev.orch.proto.NodeImagesRequest;
import dev.orch.store.Store;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code NodeImages}: the images each node pulled for its tasks. The leader asks each node (one,
 * or every ready node) over its request channel and merges the answers; a removal goes to every
 * node asked, and is an error only where the node has the image and refuses.
 */
final class NodeImageRequests {
  /** How an agent starts the error for an image it does not have (ImageCollector). */
  private static final String NOT_HERE = "no image ";

  private final NodeFanOut nodes;

  NodeImageRequests(Store store, NodeRequestRouter router, Supplier<Optional<String>> leaderAddress) {
    this.nodes = new NodeFanOut(store, router, leaderAddress);
  }

  NodeImageResponse handle(NodeImagesRequest req) {
    if (req.getOp() == NodeImageOp.NODE_IMAGE_REMOVE && req.getReference().isBlank()) {
      throw ServiceSpecValidator.invalid("no image given: name the image to remove (a name, its digest or a digest prefix)");
    }
    List<Node> targets = nodes.nodes(req.getNode(), "node image");
    List<NodeFanOut.Answer<NodeImageResponse>> answers = nodes.askAll(targets,
        AgentRequest.newBuilder().setImages(NodeImageRequest.newBuilder().setOp(req.getOp())
            .setReference(req.getReference())), r -> r.hasImages() ? r.getImages() : null);
    List<NodeImageInfo> images = new ArrayList<>();
    NodeImageResponse.Builder out = NodeImageResponse.newBuilder();
    int absent = 0;
    for (NodeFanOut.Answer<NodeImageResponse> a : answers) {
      if (a.error() != null && req.getOp() == NodeImageOp.NODE_IMAGE_REMOVE && a.error().startsWith(NOT_HERE)
          && req.getNode().isEmpty()) {
        absent++;
      } else if (a.error() != null) {
        out.addErrors("node " + NodeFanOut.name(a.node()) + ": " + a.error());
      } else {
        out.setReclaimedBytes(out.getReclaimedBytes() + a.value().getReclaimedBytes());
        a.value().getImagesList().forEach(i -> images.add(i.toBuilder().setNodeId(a.node().getMeta().getId())
            .setNodeHostname(a.node().getDescription().getHostname()).build()));
      }
    }
    if (req.getOp() == NodeImageOp.NODE_IMAGE_REMOVE && absent == answers.size()) {
      throw Status.NOT_FOUND.withDescription("no image " + req.getReference() + " on any ready node"
          + "; see orchctl image ls --nodes").asRuntimeException();
    }
    images.sort(Comparator.comparing(NodeImageInfo::getNodeHostname).thenComparing(NodeImageInfo::getDigest));
    return out.addAllImages(images).build();
  }
}
