package dev.orch.agent.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacked layers in {@code <root>/sha256/<hex>/}, named by the layer blob's digest. A layer is
 * unpacked once into a temp dir and renamed into place, so a layer dir that exists is complete;
 * concurrent callers for one layer wait for the single unpack instead of repeating it.
 */
public final class LayerStore {

  private static final Logger log = LoggerFactory.getLogger(LayerStore.class);

  private final Path root;
  private final Path tmp;
  private final BlobStore blobs;
  private final LayerUnpacker unpacker;
  private final ConcurrentHashMap<String, CompletableFuture<Path>> inFlight = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong unpacks = new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param shim the orch-shim binary, whose {@code layer-fixup} creates whiteouts and device nodes
   */
  public LayerStore(Path root, BlobStore blobs, Path shim) throws IOException {
    this.root = root.resolve("sha256");
    this.tmp = root.resolve("tmp");
    this.blobs = blobs;
    // Non-root agents (tests, rootless) cannot chown; they keep their own uid on every file.
    this.unpacker = new LayerUnpacker(shim, runningAsRoot());
    Files.createDirectories(this.root);
    Files.createDirectories(tmp);
    try (var stale = Files.list(tmp)) {
      for (Path p : (Iterable<Path>) stale::iterator) {
        deleteTree(p);
      }
    }
  }

  private static boolean runningAsRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Where layer {@code digest} is (or will be) unpacked. */
  public Path dir(String digest) throws ImageException {
    return root.resolve(Sha256.hex(digest));
  }

  public boolean isUnpacked(String digest) throws ImageException {
    return Files.isDirectory(dir(digest));
  }

  /**
   * Unpacks layer blob {@code digest} (which must be in the blob store) unless already done, and
   * returns its directory.
   */
  public Path unpack(String digest) throws IOException {
    Path dir = dir(digest);
    if (Files.isDirectory(dir)) {
      return dir;
    }
    CompletableFuture<Path> mine = new CompletableFuture<>();
    CompletableFuture<Path> running = inFlight.putIfAbsent(digest, mine);
    if (running != null) {
      return await(running);
    }
    try {
      if (!Files.isDirectory(dir)) {
        unpackInto(digest, dir);
      }
      mine.complete(dir);
      return dir;
    } catch (IOException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(digest, mine);
    }
  }

  /** How many unpacks this store has run (each layer should count once). */
  long unpackCount() {
    return unpacks.get();
  }

  private void unpackInto(String digest, Path dir) throws IOException {
    unpacks.incrementAndGet();
    Path work = Files.createTempDirectory(tmp, Sha256.hex(digest).substring(0, 12) + "-");
    try {
      try (InputStream in = blobs.open(digest)) {
        unpacker.unpack(in, work, "layer " + digest);
      }
      Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
      log.debug("unpacked layer {}", digest);
    } catch (FileAlreadyExistsException e) {
      // another process sharing this store won the race: its copy is as good as ours
    } finally {
      if (Files.exists(work)) {
        deleteTree(work);
      }
    }
  }

  private static Path await(CompletableFuture<Path> f) throws IOException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a layer unpack", e);
    }
  }

  /** The directory holding the unpacked layers, one dir per digest. */
  Path root() {
    return root;
  }

  /**
   * Moves unpacked layer {@code digest} out of place (into the temp dir) for its deletion, or
   * returns null when it is not unpacked: a layer dir that exists stays complete.
   */
  Path detach(String digest) throws IOException {
    Path away = tmp.resolve("gc-" + Sha256.hex(digest));
    try {
      Files.move(dir(digest), away, StandardCopyOption.ATOMIC_MOVE);
      return away;
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /** Removes an unpacked layer (no container may be using it). */
  public void delete(String digest) throws IOException {
    deleteTree(dir(digest));
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> {
        try {
          Files.delete(x);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
