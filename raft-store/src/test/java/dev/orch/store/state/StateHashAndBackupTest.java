package dev.orch.store.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateHashAndBackupTest {
  private static StoredObject service(String id, String name, long version, String... labels) {
    ServiceSpec.Builder spec = ServiceSpec.newBuilder().setName(name).setReplicas(2);
    for (int i = 0; i < labels.length; i += 2) {
      spec.putLabels(labels[i], labels[i + 1]);
    }
    return StoredObjects.wrap(Service.newBuilder()
        .setMeta(Meta.newBuilder().setId(id).setVersion(version)).setSpec(spec).build());
  }

  private static StoredObject node(String id, String hostname) {
    return StoredObjects.wrap(Node.newBuilder().setMeta(Meta.newBuilder().setId(id).setVersion(3))
        .setDescription(NodeDescription.newBuilder().setHostname(hostname)).build());
  }

  private static List<StoredObject> someState() {
    return List.of(service("s1", "web", 5, "tier", "front", "team", "a"), service("s2", "api", 7),
        node("n1", "host-1"), node("n2", "host-2"));
  }

  @Test
  void theHashIgnoresObjectOrderAndMapEntryOrder() {
    List<StoredObject> shuffled = new ArrayList<>(someState());
    Collections.shuffle(shuffled, new Random(7));
    List<StoredObject> relabelled = new ArrayList<>(someState());
    relabelled.set(0, service("s1", "web", 5, "team", "a", "tier", "front"));
    String hash = StateHash.of(someState());
    assertTrue(hash.matches("sha256:[0-9a-f]{64}"), hash);
    assertEquals(hash, StateHash.of(shuffled));
    assertEquals(hash, StateHash.of(relabelled));
  }

  @Test
  void theHashChangesWithAnyObjectOrVersion() {
    String hash = StateHash.of(someState());
    List<StoredObject> newerVersion = new ArrayList<>(someState());
    newerVersion.set(1, service("s2", "api", 8));
    assertNotEquals(hash, StateHash.of(newerVersion));
    assertNotEquals(hash, StateHash.of(someState().subList(0, 3)));
    assertNotEquals(StateHash.of(List.of()), StateHash.of(someState().subList(0, 1)));
  }

  private static byte[] backup(List<StoredObject> objects, long index) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupCodec.write(out, new BackupCodec.Header(BackupCodec.FORMAT_VERSION, "c1", "m1", 1_700_000_000_000L, index,
        4, objects.size()), objects);
    return out.toByteArray();
  }

  @Test
  void aBackupReadsBackWithItsHeaderAndState() throws IOException {
    byte[] bytes = backup(someState(), 42);
    BackupCodec.Backup read = BackupCodec.read(new ByteArrayInputStream(bytes));
    assertEquals(new BackupCodec.Header(1, "c1", "m1", 1_700_000_000_000L, 42, 4, 4), read.header());
    assertEquals(42, read.store().index());
    assertEquals(StateHash.of(someState()), StateHash.of(read.store()));
    assertArrayEquals(bytes, backup(someState(), 42), "the same state writes the same bytes");
  }

  @Test
  void aDamagedTruncatedOrForeignBackupIsRefused() throws IOException {
    byte[] bytes = backup(someState(), 42);
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x01;
    IOException damaged = assertThrows(IOException.class, () -> BackupCodec.read(new ByteArrayInputStream(flipped)));
    assertTrue(damaged.getMessage().contains("damaged"), damaged.getMessage());

    for (int cut : new int[] {bytes.length - 1, bytes.length - 40, bytes.length / 2, 10}) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      IOException e = assertThrows(IOException.class, () -> BackupCodec.read(new ByteArrayInputStream(truncated)));
      assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("damaged"), cut + ": " + e);
    }

    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThrows(IOException.class, () -> BackupCodec.read(new ByteArrayInputStream(longer)));

    byte[] future = bytes.clone();
    ByteBuffer.wrap(future).putInt(8, 2);
    IOException version = assertThrows(IOException.class, () -> BackupCodec.read(new ByteArrayInputStream(future)));
    assertTrue(version.getMessage().contains("format version 2"), version.getMessage());

    IOException foreign = assertThrows(IOException.class,
        () -> BackupCodec.read(new ByteArrayInputStream("not a backup at all".getBytes())));
    assertTrue(foreign.getMessage().contains("not an orch backup"), foreign.getMessage());
  }
}
