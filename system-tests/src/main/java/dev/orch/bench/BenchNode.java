package dev.orch.bench;

import com.google.protobuf.ByteString;
import dev.orch.manager.DaemonOptions;
import dev.orch.manager.ManagerNode;
import dev.orch.manager.NodeIdentity;
import dev.orch.manager.security.AdminChannels;
import dev.orch.manager.security.ClusterPki;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.ImageResponse;
import dev.orch.proto.ImportImageChunk;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One real node (manager and agent, Raft store on disk) in a temporary data dir, with an admin channel. */
final class BenchNode implements AutoCloseable {
  private final ManagerNode node;
  private final ManagedChannel channel;

  private BenchNode(ManagerNode node, ManagedChannel channel) {
    this.node = node;
    this.channel = channel;
  }

  /** Starts the node on loopback ports; {@code prefix} names its temporary data dir. */
  static BenchNode start(String prefix) throws Exception {
    return start(prefix, null);
  }

  /** As {@link #start(String)}, with the agent's drain delay (null: orchd's default). */
  static BenchNode start(String prefix, Duration drainDelay) throws Exception {
    Path dir = Files.createTempDirectory(prefix);
    int port = freePort();
    NodeIdentity id = new NodeIdentity("bench" + port, "bench" + port, "127.0.0.1", port, freePort());
    ClusterPki.initialize(dir, id.clusterId(), id.nodeId(), id.advertiseHost(), Clock.systemUTC());
    id.save(dir);
    ManagerNode node = ManagerNode.start(id, new DaemonOptions(dir, null, Duration.ofSeconds(1),
        Duration.ofSeconds(2), null, 1, java.util.Set.of(), null, drainDelay, null));
    try {
      return new BenchNode(node, AdminChannels.open(ClusterPki.adminBundle(dir), id.controlAddress()));
    } catch (Exception e) {
      node.close();
      throw e;
    }
  }

  /** The node's Raft store (this node is its leader). */
  dev.orch.store.Store store() {
    return node.store();
  }

  ManagedChannel channel() {
    return channel;
  }

  /** Imports an image archive as {@code busybox:latest}. */
  void importImage(Path archive) throws Exception {
    CompletableFuture<ImageResponse> done = new CompletableFuture<>();
    StreamObserver<ImportImageChunk> up = ControlGrpc.newStub(channel).importImage(new StreamObserver<>() {
      @Override public void onNext(ImageResponse r) { done.complete(r); }
      @Override public void onError(Throwable t) { done.completeExceptionally(t); }
      @Override public void onCompleted() { }
    });
    up.onNext(ImportImageChunk.newBuilder().setData(ByteString.copyFrom(Files.readAllBytes(archive)))
        .setReference("busybox:latest").build());
    up.onCompleted();
    done.get(60, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow();
    node.close();
  }
}
