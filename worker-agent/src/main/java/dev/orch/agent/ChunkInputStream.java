package dev.orch.agent;

import com.google.protobuf.ByteString;
import dev.orch.proto.BlobChunk;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/** Reads a server stream of blob chunks as one input stream. */
final class ChunkInputStream extends InputStream {
  private final Iterator<BlobChunk> chunks;
  private ByteString current = ByteString.EMPTY;
  private int pos;

  ChunkInputStream(Iterator<BlobChunk> chunks) {
    this.chunks = chunks;
  }

  private boolean fill() throws IOException {
    try {
      while (pos >= current.size()) {
        if (!chunks.hasNext()) {
          return false;
        }
        current = chunks.next().getData();
        pos = 0;
      }
      return true;
    } catch (StatusRuntimeException e) {
      throw new IOException(e.getStatus().getDescription(), e);
    }
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
}
