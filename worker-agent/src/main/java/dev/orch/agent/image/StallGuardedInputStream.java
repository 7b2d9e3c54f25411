package dev.orch.agent.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * A download that fails when no byte arrives for the stall limit: the stream is closed under the
 * blocked reader, whose read then fails with an error saying the transfer stalled.
 */
final class StallGuardedInputStream extends FilterInputStream {
  private final StallWatch watch;
  private final String what;

  /** @param what the download, for the error (e.g. "blob sha256:... of host/repo") */
  StallGuardedInputStream(InputStream in, Duration limit, String what) {
    super(in);
    this.what = what;
    this.watch = new StallWatch(limit, () -> closeQuietly(in));
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // the reader's failure reports the stall
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = super.read(b, off, len);
    } catch (IOException e) {
      throw failure(e);
    }
    if (watch.stalled()) {
      // closed under the reader: what looks like the end is the stall
      throw failure(null);
    }
    if (n < 0) {
      watch.close();
    } else {
      watch.progress();
    }
    return n;
  }

  private IOException failure(IOException cause) {
    watch.close();
    if (watch.stalled()) {
      return new RegistryException(RegistryException.Kind.UNAVAILABLE, what + ": " + watch.describe(), cause);
    }
    return cause;
  }

  @Override
  public void close() throws IOException {
    watch.close();
    super.close();
  }
}
