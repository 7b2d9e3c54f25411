package dev.orch.agent.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeStoreTest {
  @TempDir Path tmp;
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

  @Test
  void aVolumeIsCreatedOnFirstUseKeptAfterAndRemovableOnlyWhenUnused() throws Exception {
    VolumeStore store = new VolumeStore(tmp.resolve("volumes"), clock);
    Path data = store.acquire("appdata", "task1");
    Files.writeString(data.resolve("f"), "12345");
    assertEquals(data, store.acquire("appdata", "task2"), "the same volume for every task naming it");
    VolumeStore.Volume v = store.get("appdata");
    assertEquals(new VolumeStore.Volume("appdata", data, 1_700_000_000_000L, 5, Set.of("task1", "task2")), v);

    IllegalStateException inUse = assertThrows(IllegalStateException.class, () -> store.remove("appdata"));
    assertEquals("volume appdata is in use by the container of task task1, task2: remove or scale down the "
        + "service using it first", inUse.getMessage());
    store.release("task1");
    store.release("task2");
    assertEquals(Set.of(), store.get("appdata").usedBy());
    assertEquals("12345", Files.readString(store.acquire("appdata", "task3").resolve("f")), "data kept after its tasks");
    store.release("task3");

    store.remove("appdata");
    assertEquals(List.of(), store.list());
    assertThrows(NoSuchFileException.class, () -> store.remove("appdata"));
  }

  @Test
  void pruneRemovesOnlyUnusedVolumes() throws Exception {
    VolumeStore store = new VolumeStore(tmp.resolve("volumes"), clock);
    store.acquire("kept", "t1");
    store.acquire("gone", "t2");
    store.release("t2");
    assertEquals(List.of("gone"), store.prune().stream().map(VolumeStore.Volume::name).toList());
    assertEquals(List.of("kept"), store.list().stream().map(VolumeStore.Volume::name).toList());
  }

  @Test
  void namesAreCheckedBeforeTheyBecomePaths() {
    assertEquals(null, VolumeStore.checkName("ok.name_1-x"));
    for (String bad : List.of("../etc", "a/b", "", ".hidden", "-x")) {
      assertTrue(VolumeStore.checkName(bad).startsWith("invalid volume name"), bad);
      assertThrows(java.io.IOException.class, () -> new VolumeStore(tmp.resolve("v"), clock).acquire(bad, "t"));
    }
  }
}
