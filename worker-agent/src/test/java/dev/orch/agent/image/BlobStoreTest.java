package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {

  @TempDir Path dir;

  private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);
  private static final String HELLO_DIGEST = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

  @Test
  void storesContentUnderItsDigest() throws Exception {
    BlobStore blobs = new BlobStore(dir);
    assertEquals(HELLO_DIGEST, blobs.put(new ByteArrayInputStream(HELLO), null));
    assertTrue(blobs.has(HELLO_DIGEST));
    assertEquals(dir.resolve("sha256/5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"),
        blobs.path(HELLO_DIGEST));
    try (InputStream in = blobs.open(HELLO_DIGEST)) {
      assertArrayEquals(HELLO, in.readAllBytes());
    }
    assertEquals(HELLO_DIGEST, blobs.put(new ByteArrayInputStream(HELLO), HELLO_DIGEST));
  }

  @Test
  void refusesContentThatDoesNotMatchTheExpectedDigest() throws Exception {
    BlobStore blobs = new BlobStore(dir);
    String wrong = "sha256:" + "0".repeat(64);
    ImageException e = assertThrows(ImageException.class, () -> blobs.put(new ByteArrayInputStream(HELLO), wrong));
    assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
    assertFalse(blobs.has(wrong));
    assertFalse(blobs.has(HELLO_DIGEST));
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, tmp.count(), "no temp file is left behind");
    }
  }

  @Test
  void refusesMalformedDigestsAndMissingBlobs() throws Exception {
    BlobStore blobs = new BlobStore(dir);
    assertThrows(ImageException.class, () -> blobs.has("sha256:../../etc/passwd"));
    assertThrows(ImageException.class, () -> blobs.put(new ByteArrayInputStream(HELLO), "md5:abc"));
    assertThrows(NoSuchFileException.class, () -> blobs.open(HELLO_DIGEST));
  }
}
