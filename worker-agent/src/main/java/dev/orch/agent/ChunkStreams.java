package dev.orch.agent;

import dev.orch.proto.BlobChunk;
import io.grpc.Context;
import java.io.InputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Supplier;

/** Blob downloads as input streams, for callers outside this package. */
public final class ChunkStreams {
  private ChunkStreams() {}

  /**
   * Starts a download ({@code start} makes the blocking server-streaming call) and reads it as a
   * stream; a download that delivers nothing for {@link ChunkInputStream#IDLE_TIMEOUT} is
   * cancelled and its read fails.
   */
  public static InputStream fetch(Supplier<Iterator<BlobChunk>> start) {
    return fetch(start, ChunkInputStream.IDLE_TIMEOUT);
  }

  static InputStream fetch(Supplier<Iterator<BlobChunk>> start, Duration idle) {
    Context.CancellableContext call = Context.current().withCancellation();
    Context previous = call.attach();
    Iterator<BlobChunk> chunks;
    try {
      chunks = start.get();
    } finally {
      call.detach(previous);
    }
    return new ChunkInputStream(chunks, () -> call.cancel(null), idle);
  }
}
