package dev.orch.agent.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Content-addressed blobs in {@code <root>/sha256/<hex>}. A blob is written to a temp file while
 * it is hashed and only renamed into place once verified, so a blob path always holds exactly the
 * content its name says: readers never see a partial or unverified blob.
 */
public final class BlobStore {

  private final Path root;
  private final Path tmp;

  public BlobStore(Path root) throws IOException {
    this.root = root.resolve("sha256");
    this.tmp = root.resolve("tmp");
    Files.createDirectories(this.root);
    Files.createDirectories(tmp);
    // Leftovers of writes cut short by a crash: never visible as blobs, just reclaim the space.
    try (var stale = Files.list(tmp)) {
      for (Path p : (Iterable<Path>) stale::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Stores the stream's content and returns its digest.
   *
   * @param expectedDigest the digest the content must have, or null to accept any content
   * @throws ImageException if the content does not have {@code expectedDigest}; nothing is stored
   */
  public String put(InputStream in, String expectedDigest) throws IOException {
    if (expectedDigest != null && has(expectedDigest)) {
      return expectedDigest;
    }
    Path file = Files.createTempFile(tmp, "blob", ".part");
    try {
      MessageDigest md = Sha256.newDigest();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(ch);
        byte[] buf = new byte[64 * 1024];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          md.update(buf, 0, n);
          out.write(buf, 0, n);
        }
        ch.force(false); // the rename below must never publish a blob whose data is not on disk
      }
      String actual = Sha256.digestOf(md);
      if (expectedDigest != null && !expectedDigest.equals(actual)) {
        throw new ImageException("digest mismatch: expected " + expectedDigest + ", content is " + actual);
      }
      Files.move(file, path(actual), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return actual;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Stores a small in-memory blob (a manifest or config). */
  public String put(byte[] content) throws IOException {
    return put(new java.io.ByteArrayInputStream(content), Sha256.digestOf(content));
  }

  /** Opens a stored blob; {@link java.nio.file.NoSuchFileException} if it is not here. */
  public InputStream open(String digest) throws IOException {
    return Files.newInputStream(path(digest));
  }

  public byte[] read(String digest) throws IOException {
    return Files.readAllBytes(path(digest));
  }

  public boolean has(String digest) throws ImageException {
    return Files.isRegularFile(path(digest));
  }

  public long size(String digest) throws IOException {
    return Files.size(path(digest));
  }

  /** The directory holding the blobs, one file per digest. */
  Path root() {
    return root;
  }

  /**
   * Moves blob {@code digest} out of place (into the temp dir) for its deletion, or returns null
   * when it is not stored. Readers that opened it keep reading it.
   */
  Path detach(String digest) throws IOException {
    Path away = tmp.resolve("gc-" + Sha256.hex(digest));
    try {
      Files.move(path(digest), away, StandardCopyOption.ATOMIC_MOVE);
      return away;
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /** Where blob {@code digest} lives (whether or not it is stored). */
  public Path path(String digest) throws ImageException {
    return root.resolve(Sha256.hex(digest));
  }
}
