package dev.orch.agent;

import dev.orch.agent.volume.VolumeStore;
import dev.orch.proto.VolumeInfo;
import dev.orch.proto.VolumeRequest;
import dev.orch.proto.VolumeResponse;
import java.io.IOException;
import java.util.List;

/** Answers the managers' volume requests from this node's {@link VolumeStore}. */
final class NodeVolumes {
  private NodeVolumes() {}

  /**
   * @throws IOException when the volume does not exist or cannot be removed
   * @throws IllegalStateException when the volume is in use
   */
  static VolumeResponse answer(VolumeStore volumes, VolumeRequest request) throws IOException {
    List<VolumeStore.Volume> result = switch (request.getOp()) {
      case VOLUME_LIST -> volumes.list();
      case VOLUME_REMOVE -> {
        VolumeStore.Volume v = volumes.get(request.getName());
        volumes.remove(request.getName());
        yield List.of(v);
      }
      case VOLUME_PRUNE -> volumes.prune();
      default -> throw new IOException("this node does not know volume operation " + request.getOp()
          + "; upgrade orchd on it");
    };
    VolumeResponse.Builder out = VolumeResponse.newBuilder();
    for (VolumeStore.Volume v : result) {
      out.addVolumes(VolumeInfo.newBuilder().setName(v.name()).setMountpoint(v.dataDir().toString())
          .setCreatedAtMs(v.createdAtMs()).setSizeBytes(v.sizeBytes()).addAllUsedByTasks(v.usedBy()));
    }
    return out.build();
  }
}
