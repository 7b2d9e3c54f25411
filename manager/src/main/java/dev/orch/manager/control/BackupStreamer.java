package dev.orch.manager.control;

import com.google.protobuf.ByteString;
import dev.orch.proto.BackupChunk;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams a backup of the cluster state: written to a spool file first (so the state is copied at
 * one point and the stream is not bounded by any message size), then sent in 1 MiB chunks, the last
 * carrying the state hash.
 */
public final class BackupStreamer {
  /** What the store offers for backups. */
  public interface Source {
    void backup(OutputStream out) throws IOException;

    String stateHash(InputStream backup) throws IOException;
  }

  private final Source source;
  private final Path spoolDir;

  BackupStreamer(Source source, Path spoolDir) {
    this.source = source;
    this.spoolDir = spoolDir;
  }

  void stream(StreamObserver<BackupChunk> out) {
    Path spool = null;
    try {
      spool = Files.createTempFile(spoolDir, "backup-", ".bin");
      try (OutputStream o = Files.newOutputStream(spool)) {
        source.backup(o);
      }
      String hash;
      try (InputStream in = Files.newInputStream(spool)) {
        hash = source.stateHash(in);
      }
      try (InputStream in = Files.newInputStream(spool)) {
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
          out.onNext(BackupChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
        }
      }
      out.onNext(BackupChunk.newBuilder().setStateHash(hash).build());
      out.onCompleted();
    } catch (IOException e) {
      out.onError(Status.INTERNAL.withDescription("writing the backup failed: " + e.getMessage()).asRuntimeException());
    } finally {
      if (spool != null) {
        try {
          Files.deleteIfExists(spool);
        } catch (IOException ignored) {
          // removed with the spool dir's next cleanup
        }
      }
    }
  }
}
