package dev.orch.agent;

import dev.orch.agent.image.ImageCollector;
import dev.orch.agent.image.NodeImage;
import dev.orch.proto.NodeImageInfo;
import dev.orch.proto.NodeImageRequest;
import dev.orch.proto.NodeImageResponse;
import java.io.IOException;
import java.util.List;

/** Answers the managers' node image requests from this node's {@link ImageCollector}. */
final class NodeImages {
  private NodeImages() {}

  /**
   * @throws IOException when the image is not here or cannot be removed
   * @throws IllegalStateException when a task uses it
   */
  static NodeImageResponse answer(ImageCollector images, NodeImageRequest request) throws IOException {
    ImageCollector.Result result = switch (request.getOp()) {
      case NODE_IMAGE_LIST -> new ImageCollector.Result(images.list(), 0, 0);
      case NODE_IMAGE_REMOVE -> images.remove(request.getReference());
      case NODE_IMAGE_PRUNE -> images.prune();
      default -> throw new IOException("this node does not know image operation " + request.getOp()
          + "; upgrade orchd on it");
    };
    NodeImageResponse.Builder out = NodeImageResponse.newBuilder().setReclaimedBytes(result.reclaimedBytes());
    for (NodeImage i : result.removed()) {
      out.addImages(NodeImageInfo.newBuilder().setDigest(i.digest()).addAllReferences(i.references())
          .setSizeBytes(i.sizeBytes()).addAllUsedByTasks(i.usedBy()).setLastUsedMs(i.lastUsedMs()));
    }
    return out.build();
  }
}
