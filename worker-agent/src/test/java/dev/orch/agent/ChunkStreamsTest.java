package dev.orch.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.orch.proto.BlobChunk;
import dev.orch.proto.DispatcherGrpc;
import dev.orch.proto.FetchBlobRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.BindableService;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blob downloads over a real gRPC stream on loopback: complete, refused, and stalled mid-transfer. */
class ChunkStreamsTest {
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private Server server;
  private ManagedChannel channel;

  /** Sends one chunk, then either completes or stalls (as a paused manager) until the call is cancelled. */
  private void serve(boolean stall) throws IOException {
    start(new DispatcherGrpc.DispatcherImplBase() {
      @Override
      public void fetchBlob(FetchBlobRequest req, StreamObserver<BlobChunk> out) {
        io.grpc.Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
        out.onNext(BlobChunk.newBuilder().setData(ByteString.copyFromUtf8("abc")).build());
        if (!stall) {
          out.onNext(BlobChunk.newBuilder().setData(ByteString.copyFromUtf8("def")).build());
          out.onCompleted();
        }
      }
    });
  }

  private void start(BindableService service) throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  private InputStream fetch(Duration idle) {
    return ChunkStreams.fetch(() -> DispatcherGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES)
        .fetchBlob(FetchBlobRequest.newBuilder().setDigest("sha256:x").build()), idle);
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow();
    }
  }

  @Test
  void readsAWholeBlob() throws Exception {
    serve(false);
    try (InputStream in = fetch(Duration.ofSeconds(30))) {
      assertArrayEquals("abcdef".getBytes(), in.readAllBytes());
    }
  }

  @Test
  void aStalledTransferFailsAfterTheIdleLimitInsteadOfTheDeadline() throws Exception {
    serve(true);
    IOException e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      try (InputStream in = fetch(Duration.ofMillis(300))) {
        assertEquals('a', in.read());
        return assertThrows(IOException.class, in::readAllBytes);
      }
    });
    assertTrue(e.getMessage().contains("stalled"), e.getMessage());
    assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the server saw no cancellation");
  }

  @Test
  void closingEarlyCancelsTheDownload() throws Exception {
    serve(true);
    try (InputStream in = fetch(Duration.ofSeconds(30))) {
      assertEquals('a', in.read());
    }
    assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the server saw no cancellation");
  }

  @Test
  void aRefusalIsReadAsAnError() throws Exception {
    start(new DispatcherGrpc.DispatcherImplBase() {
      @Override
      public void fetchBlob(FetchBlobRequest req, StreamObserver<BlobChunk> out) {
        out.onError(Status.NOT_FOUND.withDescription("blob sha256:x not available").asRuntimeException());
      }
    });
    try (InputStream in = fetch(Duration.ofSeconds(30))) {
      IOException e = assertThrows(IOException.class, in::read);
      assertEquals("blob sha256:x not available", e.getMessage());
    }
  }
}
