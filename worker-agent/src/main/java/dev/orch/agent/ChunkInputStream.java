package dev.orch.agent;

import com.google.protobuf.ByteString;
import dev.orch.agent.image.StallWatch;
import dev.orch.proto.BlobChunk;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Iterator;

/**
 * Reads a server stream of blob chunks as one input stream. A stream that delivers no chunk for
 * the idle limit (its manager paused or cut off mid-transfer, with no reset to end the
 * connection) is cancelled, so that the read fails instead of waiting for the call's deadline.
 */
final class ChunkInputStream extends InputStream {
  /** Longer than any pause between chunks of a working transfer (they come 1 MiB at a time). */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(20);

  private final Iterator<BlobChunk> chunks;
  private final Runnable cancel;
  private final StallWatch watch;
  private ByteString current = ByteString.EMPTY;
  private int pos;

  /** Calls {@code cancel} (which must end the stream) when no chunk arrived for {@code idle}. */
  ChunkInputStream(Iterator<BlobChunk> chunks, Runnable cancel, Duration idle) {
    this.chunks = chunks;
    this.cancel = cancel;
    this.watch = new StallWatch(idle, cancel);
  }

  private boolean fill() throws IOException {
    try {
      while (pos >= current.size()) {
        if (!chunks.hasNext()) {
          stopWatching();
          return false;
        }
        current = chunks.next().getData();
        watch.progress();
        pos = 0;
      }
      return true;
    } catch (StatusRuntimeException e) {
      stopWatching();
      if (watch.stalled()) {
        throw new IOException(watch.describe(), e);
      }
      throw new IOException(e.getStatus().getDescription(), e);
    }
  }

  private void stopWatching() {
    watch.close();
  }

  @Override
  public int read() throws IOException {
    return fill() ? current.byteAt(pos++) & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, current.size() - pos);
    current.substring(pos, pos + n).copyTo(b, off);
    pos += n;
    return n;
  }

  /** Ends the download too, when it is closed before its end. */
  @Override
  public void close() {
    stopWatching();
    cancel.run();
  }
}
