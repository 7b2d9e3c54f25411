package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Image;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {

  @TempDir Path dir;

  /** An image whose blobs live only in another store, as on a worker that got the task first. */
  private Image remoteImage(BlobStore remote) throws Exception {
    String lower = remote.put(new TarBuilder().dir("etc", 0755).file("etc/a", "a").tarGz());
    String upper = remote.put(new ByteArrayInputStream(new TarBuilder().file("etc/b", "b").tar()), null);
    return Image.newBuilder().addLayerDigests(lower).addLayerDigests(upper).build();
  }

  @Test
  void fetchesMissingLayersFromTheSourceAndReturnsThemLowestFirst() throws Exception {
    BlobStore remote = new BlobStore(dir.resolve("remote"));
    Image image = remoteImage(remote);
    ImageStore store = new ImageStore(dir.resolve("node"));
    List<String> fetched = new ArrayList<>();

    List<Path> dirs = store.layerDirs(image, digest -> {
      fetched.add(digest);
      return remote.open(digest);
    });

    assertEquals(image.getLayerDigestsList(), fetched);
    assertEquals("a", Files.readString(dirs.get(0).resolve("etc/a")));
    assertEquals("b", Files.readString(dirs.get(1).resolve("etc/b")));
    // Everything is local now: no source is needed, and nothing is fetched or unpacked again.
    assertEquals(dirs, store.layerDirs(image, null));
    assertEquals(2, store.layers().unpackCount());
  }

  @Test
  void refusesABlobFromTheSourceThatDoesNotMatchItsDigest() throws Exception {
    Image image = remoteImage(new BlobStore(dir.resolve("remote")));
    ImageStore store = new ImageStore(dir.resolve("node"));
    ImageException e = assertThrows(ImageException.class, () -> store.layerDirs(image,
        digest -> new ByteArrayInputStream("tampered".getBytes(StandardCharsets.UTF_8))));
    assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
    assertTrue(!store.blobs().has(image.getLayerDigests(0)));
  }

  @Test
  void saysSoWhenALayerIsMissingAndThereIsNoSource() throws Exception {
    Image image = remoteImage(new BlobStore(dir.resolve("remote")));
    ImageStore store = new ImageStore(dir.resolve("node"));
    ImageException e = assertThrows(ImageException.class, () -> store.layerDirs(image, null));
    assertTrue(e.getMessage().contains("is not on this node"), e.getMessage());
  }
}
