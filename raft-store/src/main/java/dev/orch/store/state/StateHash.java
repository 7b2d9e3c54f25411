package dev.orch.store.state;

import com.google.protobuf.CodedOutputStream;
import dev.orch.proto.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * A fingerprint of a store's objects, equal on every member that holds the same objects and
 * between a backup and the store restored from it.
 *
 * <p>It covers the objects only (their metas included, so versions count), not the applied
 * index: entries that are not transactions (a new leader's first entry, configuration changes)
 * move the index without changing any object, and a restored store starts a new log after its
 * backup. Objects are sorted by kind number, then id, and each is serialized deterministically
 * (map fields in key order), so neither iteration order nor protobuf's freedom in ordering map
 * entries changes the hash.
 */
public final class StateHash {
  /** Names the serialization, so that a future change of it cannot be mistaken for a state change. */
  private static final byte[] DOMAIN = "orch-state-hash/1\n".getBytes(StandardCharsets.US_ASCII);
  private static final Comparator<StoredObject> CANONICAL_ORDER = Comparator
      .comparingInt((StoredObject o) -> StoredObjects.kind(o).getNumber())
      .thenComparing(StoredObjects::id);

  private StateHash() {}

  /** {@code sha256:} and 64 lower-case hex digits. */
  public static String of(Collection<StoredObject> objects) {
    List<StoredObject> sorted = new ArrayList<>(objects);
    sorted.sort(CANONICAL_ORDER);
    MessageDigest sha256 = newSha256();
    sha256.update(DOMAIN);
    byte[] length = new byte[5];
    for (StoredObject object : sorted) {
      byte[] bytes = canonicalBytes(object);
      // Length-prefixed, so that no two different object lists concatenate to the same bytes.
      int n = writeVarint(length, bytes.length);
      sha256.update(length, 0, n);
      sha256.update(bytes);
    }
    return "sha256:" + HexFormat.of().formatHex(sha256.digest());
  }

  /** The hash of a store's current objects. */
  public static String of(ObjectStore store) {
    return of(store.objects());
  }

  static byte[] canonicalBytes(StoredObject object) {
    byte[] bytes = new byte[object.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      object.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("could not serialize " + StoredObjects.describe(object), e);
    }
    return bytes;
  }

  private static int writeVarint(byte[] into, int value) {
    int n = 0;
    int v = value;
    while ((v & ~0x7F) != 0) {
      into[n++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    into[n++] = (byte) v;
    return n;
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
