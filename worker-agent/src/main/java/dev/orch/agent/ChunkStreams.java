package dev.orch.agent;

import dev.orch.proto.BlobChunk;
import java.io.InputStream;
import java.util.Iterator;

/** Blob downloads as input streams, for callers outside this package. */
public final class ChunkStreams {
  private ChunkStreams() {}

  public static InputStream of(Iterator<BlobChunk> chunks) {
    return new ChunkInputStream(chunks);
  }
}
