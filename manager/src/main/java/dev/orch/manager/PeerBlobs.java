package dev.orch.manager;

import dev.orch.agent.ChunkStreams;
import dev.orch.agent.image.BlobStore;
import dev.orch.agent.tls.TlsContexts;
import dev.orch.manager.security.CertificateFiles;
import dev.orch.proto.DispatcherGrpc;
import dev.orch.proto.FetchBlobRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The managers' image blobs. An image is imported into the blob store of the manager that received
 * the upload; any other manager asked for a blob it lacks fetches it from its peers once, verifies
 * it by digest, and keeps it.
 */
final class PeerBlobs implements AutoCloseable {
  private final BlobStore local;
  private final ClusterManagers managers;
  private final CertificateFiles.Credentials credentials;
  private final Map<String, ManagedChannel> channels = new HashMap<>();

  PeerBlobs(BlobStore local, ClusterManagers managers, CertificateFiles.Credentials credentials) {
    this.local = local;
    this.managers = managers;
    this.credentials = credentials;
  }

  InputStream open(String digest) throws IOException {
    if (local.has(digest)) {
      return local.open(digest);
    }
    IOException last = new IOException("no manager has blob " + digest);
    for (String addr : managers.addresses().subList(1, managers.addresses().size())) {
      try (InputStream in = ChunkStreams.fetch(() -> DispatcherGrpc.newBlockingStub(channel(addr))
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

  private synchronized ManagedChannel channel(String addr) {
    return channels.computeIfAbsent(addr, a -> NettyChannelBuilder.forTarget(a)
        .sslContext(credentials.client()).overrideAuthority(TlsContexts.MANAGER_AUTHORITY).build());
  }

  @Override
  public synchronized void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
