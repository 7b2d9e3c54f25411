package dev.orch.manager;

import dev.orch.agent.ChunkStreams;
import dev.orch.agent.image.BlobStore;
import dev.orch.proto.DispatcherGrpc;
import dev.orch.proto.FetchBlobRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * The managers' image blobs. An image is imported into the blob store of the manager that received
 * the upload; any other manager asked for a blob it lacks fetches it from its peers once, verifies
 * it by digest, and keeps it.
 */
final class PeerBlobs {
  private final BlobStore local;
  private final ClusterManagers managers;
  private final PeerChannels channels;

  PeerBlobs(BlobStore local, ClusterManagers managers, PeerChannels channels) {
    this.local = local;
    this.managers = managers;
    this.channels = channels;
  }

  InputStream open(String digest) throws IOException {
    if (local.has(digest)) {
      return local.open(digest);
    }
    IOException last = new IOException("no manager has blob " + digest);
    for (String addr : managers.addresses().subList(1, managers.addresses().size())) {
      try (InputStream in = ChunkStreams.fetch(() -> DispatcherGrpc.newBlockingStub(channels.apply(addr))
          .withDeadlineAfter(5, TimeUnit.MINUTES)
          .fetchBlob(FetchBlobRequest.newBuilder().setDigest(digest).build()))) {
        local.put(in, digest);
        return local.open(digest);
      } catch (IOException | RuntimeException e) {
        last = new IOException("fetching blob " + digest + " from manager " + addr + ": " + e.getMessage(), e);
      }
    }
    throw last;
  }
}
