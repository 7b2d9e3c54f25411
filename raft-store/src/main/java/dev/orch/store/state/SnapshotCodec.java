package dev.orch.store.state;

import dev.orch.proto.StoreSnapshot;
import dev.orch.proto.StoredObject;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The snapshot stream format. A {@link StoreSnapshot} holding everything in one message would be
 * bounded by protobuf's 2 GiB message limit and need the whole state in memory twice, so the
 * stream is instead:
 *
 * <pre>
 *   magic "ORCHSNP1"
 *   StoreSnapshot header (index, term, no objects), length-delimited
 *   StoredObject, length-delimited, once per object
 *   an empty StoredObject (a single zero length byte) marking the end
 * </pre>
 *
 * The end marker lets a reader tell a complete snapshot from a truncated one even without the
 * file checksum.
 */
final class SnapshotCodec {
  private static final byte[] MAGIC = "ORCHSNP1".getBytes(StandardCharsets.US_ASCII);

  /** The log position a snapshot reflects. */
  record Header(long index, long term) {}

  /** Receives each object as it is read; may refuse the stream by throwing. */
  @FunctionalInterface
  interface ObjectSink {
    void accept(StoredObject object) throws IOException;
  }

  private SnapshotCodec() {}

  static void write(OutputStream out, long index, long term, Iterable<StoredObject> objects) throws IOException {
    out.write(MAGIC);
    StoreSnapshot.newBuilder().setIndex(index).setTerm(term).build().writeDelimitedTo(out);
    for (StoredObject object : objects) {
      object.writeDelimitedTo(out);
    }
    StoredObject.getDefaultInstance().writeDelimitedTo(out);
    out.flush();
  }

  static Header read(InputStream in, ObjectSink sink) throws IOException {
    byte[] magic = new byte[MAGIC.length];
    try {
      new DataInputStream(in).readFully(magic);
    } catch (EOFException e) {
      throw new IOException("not an orch snapshot: shorter than its magic", e);
    }
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException("not an orch snapshot: bad magic " + new String(magic, StandardCharsets.US_ASCII));
    }
    StoreSnapshot header = StoreSnapshot.parseDelimitedFrom(in);
    if (header == null) {
      throw new IOException("snapshot ends before its header");
    }
    if (header.getObjectsCount() != 0) {
      throw new IOException("snapshot header carries objects; expected them streamed after it");
    }
    long count = 0;
    for (StoredObject object; (object = StoredObject.parseDelimitedFrom(in)) != null; count++) {
      if (object.getObjectCase() == StoredObject.ObjectCase.OBJECT_NOT_SET) {
        return new Header(header.getIndex(), header.getTerm());
      }
      sink.accept(object);
    }
    throw new IOException("snapshot at index " + header.getIndex() + " is truncated after " + count + " objects");
  }
}
