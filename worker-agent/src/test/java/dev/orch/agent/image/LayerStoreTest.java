package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.agent.runtime.ShimBinary;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerStoreTest {

  @TempDir Path dir;
  private BlobStore blobs;
  private LayerStore layers;

  @BeforeEach
  void setUp() throws Exception {
    blobs = new BlobStore(dir.resolve("blobs"));
    layers = new LayerStore(dir.resolve("layers"), blobs, ShimBinary.install(dir));
  }

  private String store(byte[] blob) throws Exception {
    return blobs.put(new ByteArrayInputStream(blob), null);
  }

  @Test
  void unpacksFilesDirsSymlinksAndHardlinksWithTheirMetadata() throws Exception {
    String digest = store(new TarBuilder()
        .dir("bin", 0755)
        .file("bin/busybox", "#!binary".getBytes(StandardCharsets.UTF_8), 04755, 0, 0)
        .symlink("bin/sh", "busybox")
        .symlink("bin/abs", "/bin/busybox")
        .hardlink("bin/hard", "bin/busybox")
        .dir("etc", 0700)
        .file("etc/secret", "s".getBytes(StandardCharsets.UTF_8), 0640, 1000, 1001)
        .file("deep/implicit/parent", "created without dir entries")
        .tarGz());

    Path root = layers.unpack(digest);

    assertEquals(layers.dir(digest), root);
    assertEquals("busybox", Files.readSymbolicLink(root.resolve("bin/sh")).toString());
    assertEquals("/bin/busybox", Files.readSymbolicLink(root.resolve("bin/abs")).toString());
    assertEquals(Files.getAttribute(root.resolve("bin/busybox"), "unix:ino"),
        Files.getAttribute(root.resolve("bin/hard"), "unix:ino"));
    assertEquals(04755, (int) Files.getAttribute(root.resolve("bin/busybox"), "unix:mode") & 07777);
    assertEquals(0700, (int) Files.getAttribute(root.resolve("etc"), "unix:mode") & 07777);
    assertEquals(FileTime.from(TarBuilder.MTIME), Files.getLastModifiedTime(root.resolve("etc")));
    assertEquals(FileTime.from(TarBuilder.MTIME),
        Files.getLastModifiedTime(root.resolve("bin/sh"), LinkOption.NOFOLLOW_LINKS));
    assertEquals("created without dir entries", Files.readString(root.resolve("deep/implicit/parent")));
    if (isRoot()) {
      assertEquals(1000, Files.getAttribute(root.resolve("etc/secret"), "unix:uid"));
      assertEquals(1001, Files.getAttribute(root.resolve("etc/secret"), "unix:gid"));
    }
  }

  @Test
  void convertsWhiteoutsAndOpaqueDirsForOverlayfs() throws Exception {
    RootAssumption.assumeRoot();
    String lower = store(new TarBuilder()
        .dir("data", 0755).file("data/old", "old").file("data/keep", "keep")
        .dir("cache", 0755).file("cache/stale", "stale")
        .tar());
    String upper = store(new TarBuilder()
        .file("data/.wh.old", "")
        .dir("cache", 0755).file("cache/.wh..wh..opq", "").file("cache/fresh", "fresh")
        .fifo("data/pipe")
        .tar());
    Path lowerDir = layers.unpack(lower);
    Path upperDir = layers.unpack(upper);

    Path whiteout = upperDir.resolve("data/old");
    assertTrue(Files.exists(whiteout, LinkOption.NOFOLLOW_LINKS));
    assertEquals(0L, ((Number) Files.getAttribute(whiteout, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue());
    assertTrue(Files.getAttribute(whiteout, "unix:mode", LinkOption.NOFOLLOW_LINKS) instanceof Integer m
        && (m & 0170000) == 0020000, "whiteout is a character device");
    assertFalse(Files.exists(upperDir.resolve("cache/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS));

    // What overlayfs shows is the real test: run ls in a private mount namespace.
    Path merged = Files.createDirectories(dir.resolve("merged"));
    String listing = run("unshare", "--mount", "sh", "-c",
        "mount -t overlay overlay -o lowerdir=" + upperDir + ":" + lowerDir + " " + merged
            + " && ls " + merged + "/data && echo -- && ls " + merged + "/cache");
    // data/old is whited out; cache is opaque, so the lower layer's cache/stale is hidden.
    assertEquals("keep\npipe\n--\nfresh\n", listing);
  }

  @Test
  void refusesEntriesThatEscapeTheLayerDirectory() throws Exception {
    String dotdot = store(new TarBuilder().file("../escaped", "x").tar());
    ImageException e = assertThrows(ImageException.class, () -> layers.unpack(dotdot));
    assertTrue(e.getMessage().contains("escapes the layer directory"), e.getMessage());

    Path outside = Files.createDirectories(dir.resolve("outside"));
    String throughSymlink = store(new TarBuilder()
        .symlink("etc", outside.toString())
        .file("etc/passwd", "owned")
        .tar());
    e = assertThrows(ImageException.class, () -> layers.unpack(throughSymlink));
    assertTrue(e.getMessage().contains("goes through symlink etc"), e.getMessage());
    assertFalse(Files.exists(outside.resolve("passwd")));

    String hardlinkOut = store(new TarBuilder().hardlink("passwd", "../../../etc/passwd").tar());
    assertThrows(ImageException.class, () -> layers.unpack(hardlinkOut));

    for (String digest : List.of(dotdot, throughSymlink, hardlinkOut)) {
      assertFalse(layers.isUnpacked(digest), "a refused layer leaves no directory");
    }
    try (Stream<Path> tmp = Files.list(dir.resolve("layers/tmp"))) {
      assertEquals(0, tmp.count());
    }
  }

  @Test
  void concurrentCallersShareOneUnpack() throws Exception {
    TarBuilder big = new TarBuilder();
    for (int i = 0; i < 500; i++) {
      big.file("f/" + i, "content " + i);
    }
    String digest = store(big.tarGz());
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return layers.unpack(digest);
        }));
      }
      go.countDown();
      for (Future<Path> r : results) {
        assertEquals(layers.dir(digest), r.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, layers.unpackCount());
    try (Stream<Path> files = Files.list(layers.dir(digest).resolve("f"))) {
      assertEquals(500, files.count());
    }
  }

  private static boolean isRoot() throws Exception {
    return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
