package dev.orch.store.state;

import dev.orch.proto.StoredObject;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collection;

/**
 * The backup file format: a snapshot stream (see {@link SnapshotCodec}) framed by a versioned
 * header and a SHA-256 trailer, so that a backup says where it came from and a damaged or
 * truncated copy is refused rather than restored.
 *
 * <pre>
 *   magic "ORCHBKUP"
 *   int32   format version (1)
 *   utf     cluster id, utf member id   (where it was taken; informational)
 *   int64   taken at (ms since the epoch), index, term, object count
 *   the snapshot stream: magic, header, one length-delimited StoredObject per object, end marker
 *   magic "ORCHBEND", then the SHA-256 of every byte before this trailer
 * </pre>
 *
 * Everything is streamed: neither writing nor reading holds more than one object's bytes beyond
 * the objects themselves, and no message size limit applies to the whole.
 */
public final class BackupCodec {
  public static final int FORMAT_VERSION = 1;
  private static final byte[] MAGIC = "ORCHBKUP".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRAILER = "ORCHBEND".getBytes(StandardCharsets.US_ASCII);
  private static final int BUFFER = 64 * 1024;

  /**
   * What a backup says about itself.
   *
   * @param index the log index of the last entry the state reflects
   * @param term the term of that entry
   */
  public record Header(int formatVersion, String clusterId, String memberId, long takenAtMs, long index, long term,
      long objectCount) {}

  /** A backup read back and verified: its header and the state it holds. */
  public record Backup(Header header, ObjectStore store) {}

  private BackupCodec() {}

  /** Writes a backup of {@code objects} at {@code index}/{@code term}; flushes but does not close {@code out}. */
  public static void write(OutputStream out, Header header, Collection<StoredObject> objects) throws IOException {
    if (header.objectCount() != objects.size()) {
      throw new IllegalArgumentException("header counts " + header.objectCount() + " objects, got " + objects.size());
    }
    BufferedOutputStream buffered = new BufferedOutputStream(out, BUFFER);
    MessageDigest sha256 = StateHash.newSha256();
    DigestOutputStream digested = new DigestOutputStream(buffered, sha256);
    DataOutputStream data = new DataOutputStream(digested);
    data.write(MAGIC);
    data.writeInt(FORMAT_VERSION);
    data.writeUTF(header.clusterId());
    data.writeUTF(header.memberId());
    data.writeLong(header.takenAtMs());
    data.writeLong(header.index());
    data.writeLong(header.term());
    data.writeLong(header.objectCount());
    SnapshotCodec.write(digested, header.index(), header.term(), objects);
    buffered.write(TRAILER);
    buffered.write(sha256.digest());
    buffered.flush();
  }

  /**
   * Reads and verifies a whole backup: the checksum, the header against the snapshot inside, and
   * that nothing follows the trailer. Fails with an {@link IOException} that says what is wrong.
   */
  public static Backup read(InputStream in) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
    DigestInputStream digested = new DigestInputStream(buffered, StateHash.newSha256());
    DataInputStream data = new DataInputStream(digested);
    Header header = readHeader(data);
    ObjectStore.LoadedSnapshot snapshot;
    try {
      snapshot = ObjectStore.readSnapshot(digested);
    } catch (IOException e) {
      throw new IOException("the backup is damaged or truncated: " + e.getMessage(), e);
    }
    byte[] expected = digested.getMessageDigest().digest();
    digested.on(false);
    byte[] trailer = new byte[TRAILER.length];
    byte[] recorded = new byte[expected.length];
    try {
      data.readFully(trailer);
      data.readFully(recorded);
    } catch (EOFException e) {
      throw new IOException("the backup is truncated: it ends before its checksum", e);
    }
    if (!Arrays.equals(trailer, TRAILER)) {
      throw new IOException("the backup is damaged: no checksum trailer after the objects");
    }
    if (!MessageDigest.isEqual(expected, recorded)) {
      throw new IOException("the backup is damaged: its SHA-256 checksum does not match its contents");
    }
    if (buffered.read() != -1) {
      throw new IOException("the backup is damaged: bytes follow its checksum");
    }
    ObjectStore store = snapshot.store();
    if (store.index() != header.index() || snapshot.term() != header.term() || store.size() != header.objectCount()) {
      throw new IOException("the backup is inconsistent: its header says index " + header.index() + ", term "
          + header.term() + ", " + header.objectCount() + " objects but it holds index " + store.index() + ", term "
          + snapshot.term() + ", " + store.size() + " objects");
    }
    return new Backup(header, store);
  }

  private static Header readHeader(DataInputStream data) throws IOException {
    byte[] magic = new byte[MAGIC.length];
    try {
      data.readFully(magic);
    } catch (EOFException e) {
      throw new IOException("not an orch backup: shorter than its header", e);
    }
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException("not an orch backup (it does not start with " + new String(MAGIC, StandardCharsets.US_ASCII)
          + ")");
    }
    try {
      int version = data.readInt();
      if (version != FORMAT_VERSION) {
        throw new IOException("backup format version " + version + " is not one this orch reads (" + FORMAT_VERSION
            + "); restore it with the orch version that wrote it");
      }
      return new Header(version, data.readUTF(), data.readUTF(), data.readLong(), data.readLong(), data.readLong(),
          data.readLong());
    } catch (EOFException e) {
      throw new IOException("the backup is truncated inside its header", e);
    }
  }
}
