package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Image;
import dev.orch.proto.Meta;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's image GC rules: thresholds, least recently used first, minimum age, pins, shared layers. */
class ImageCollectorTest {
  @TempDir Path dir;
  private BlobStore remote;
  private ImageStore store;
  private final MutableClock clock = new MutableClock();
  private final List<String> fetched = new ArrayList<>();
  /** Usage grows with the images recorded: 70 % plus 5 % per image. */
  private ImageCollector.DiskUsage usage;
  private String shared;

  @BeforeEach
  void setUp() throws Exception {
    remote = new BlobStore(dir.resolve("remote"));
    shared = layer("shared");
    usage = () -> {
      try (var records = Files.list(dir.resolve("node/images"))) {
        return 70 + 5 * (int) records.filter(p -> !p.getFileName().toString().startsWith(".")).count();
      }
    };
    store = new ImageStore(dir.resolve("node"), new ImageGcPolicy(85, 80, Duration.ofMinutes(2), Duration.ofMinutes(1)),
        clock, usage);
  }

  private String layer(String name) throws Exception {
    return remote.put(new ByteArrayInputStream(new TarBuilder().file("etc/" + name, name).tar()), null);
  }

  private Image image(String name, String... layers) throws Exception {
    Image.Builder b = Image.newBuilder().addReferences(name + ":1");
    for (String l : layers) {
      b.addLayerDigests(l);
    }
    b.setMeta(Meta.newBuilder().setId(Sha256.digestOf(b.build().toByteArray())));
    return b.build();
  }

  private void pull(Image image) throws Exception {
    store.layerDirs(image, d -> {
      fetched.add(d);
      return remote.open(d);
    });
    clock.advance(Duration.ofSeconds(1));
  }

  private List<String> onNode() throws Exception {
    return store.collector().list().stream().map(i -> i.references().get(0)).sorted().toList();
  }

  @Test
  void aboveTheHighThresholdUnusedImagesGoLeastRecentlyUsedFirstUntilTheLowOne() throws Exception {
    ImageCollector gc = store.collector();
    Image a = image("a", shared, layer("a"));
    Image b = image("b", shared, layer("b"));
    Image c = image("c", layer("c"));
    Image d = image("d", layer("d"));
    for (Image i : List.of(a, b, c, d)) {
      pull(i);
    }
    gc.pin("t1", b);
    gc.pinsComplete();
    assertEquals(90, usage.percentUsed());
    assertTrue(gc.collectGarbage().removed().isEmpty(), "every image is younger than the minimum age");

    clock.advance(Duration.ofMinutes(3));
    ImageCollector.Result r = gc.collectGarbage();
    // a is the least recently used, then c; b is in use; after two removals usage is 80 %.
    assertEquals(List.of("a:1", "c:1"), r.removed().stream().map(i -> i.references().get(0)).toList());
    assertEquals(List.of("b:1", "d:1"), onNode());
    assertTrue(r.reclaimedBytes() > 0);
    // a's own layer went (blob and unpacked dir); the layer a shares with b stayed.
    assertFalse(store.blobs().has(a.getLayerDigests(1)));
    assertFalse(store.layers().isUnpacked(a.getLayerDigests(1)));
    assertTrue(store.layers().isUnpacked(shared) && store.blobs().has(shared));
    assertEquals(List.of("t1"), List.copyOf(gc.list().stream().filter(i -> i.references().contains("b:1"))
        .findFirst().orElseThrow().usedBy()));
  }

  @Test
  void nothingIsCollectedUntilEveryTaskOfTheNodeHasPinnedItsImage() throws Exception {
    pull(image("a", layer("a")));
    pull(image("b", layer("b")));
    pull(image("c", layer("c")));
    pull(image("d", layer("d")));
    clock.advance(Duration.ofMinutes(3));
    assertTrue(store.collector().collectGarbage().removed().isEmpty(), "after a restart, before the first task list");
    assertEquals(4, onNode().size());
  }

  @Test
  void aTaskGivenToTheNodeKeepsItsLayersThroughACollectionBeforeItPrepares() throws Exception {
    ImageCollector gc = store.collector();
    Image old = image("old", shared);
    pull(old);
    Image next = image("next", shared, layer("next"));
    gc.pin("t2", next); // assigned, not yet prepared
    gc.pinsComplete();
    clock.advance(Duration.ofMinutes(3));
    assertEquals(List.of("old:1"), gc.prune().removed().stream().map(i -> i.references().get(0)).toList());
    assertTrue(store.layers().isUnpacked(shared), "the pinned image's layer stays although its image record went");
    fetched.clear();
    pull(next);
    assertEquals(List.of(next.getLayerDigests(1)), fetched, "only the layer that was never here is fetched");
  }

  @Test
  void rmIsRefusedWhileATaskUsesTheImageAndWorksOnceItIsReleased() throws Exception {
    ImageCollector gc = store.collector();
    Image a = image("a", layer("a"));
    pull(a);
    gc.pin("t1", a);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> gc.remove("a:1"));
    assertTrue(e.getMessage().contains("used by task t1"), e.getMessage());
    assertThrows(NoSuchFileException.class, () -> gc.remove("nope:1"));
    gc.unpin("t1");
    ImageCollector.Result r = gc.remove(Sha256.hex(a.getMeta().getId()).substring(0, 12));
    assertEquals(a.getMeta().getId(), r.removed().get(0).digest());
    assertEquals(List.of(), onNode());
    assertFalse(store.blobs().has(a.getLayerDigests(0)));
  }

  @Test
  void layersLeftByAFailedPullAreRemovedByPrune() throws Exception {
    String orphan = layer("orphan");
    try (var in = remote.open(orphan)) {
      store.blobs().put(in, orphan); // fetched, then the pull failed: no image records it
    }
    store.collector().pinsComplete();
    ImageCollector.Result r = store.collector().prune();
    assertEquals(1, r.orphanLayers());
    assertFalse(store.blobs().has(orphan));
  }

  /** A clock the test moves. */
  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
