package dev.orch.agent.image;

import dev.orch.proto.Image;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which images this node holds and which tasks use them, and the removal of the others.
 *
 * <p>An image is recorded ({@code <root>/<hex>}, the Image message; its modification time is the
 * last use) once its layers are local. A task pins its image from the moment the node is given
 * the task (before it prepares) until the task is gone from the cluster, so an image is never
 * removed while a task is about to start with it, runs it, or is kept as recent history. Pins are
 * in memory: after an agent restart nothing is collected until the first complete assignment set
 * has pinned again ({@link #pinsComplete}).
 *
 * <p>Pinning and deciding what to delete hold one lock; a layer to delete is first renamed out of
 * place under it (its blob deleted), so a preparing task never sees half a layer, and the slow
 * tree deletion runs after. Layers are shared between images: a layer goes only when no recorded
 * or pinned image has it.
 */
public final class ImageCollector {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCollector.class);

  /** How full the file system of the image store is, in percent. */
  public interface DiskUsage {
    int percentUsed() throws IOException;

    static DiskUsage of(Path dir) {
      return () -> {
        FileStore fs = Files.getFileStore(dir);
        long total = fs.getTotalSpace();
        return total <= 0 ? 0 : (int) Math.round(100.0 * (total - fs.getUsableSpace()) / total);
      };
    }
  }

  /** What a collection did. */
  public record Result(List<NodeImage> removed, int orphanLayers, long reclaimedBytes) {}

  private final Path root;
  private final BlobStore blobs;
  private final LayerStore layers;
  private final ImageGcPolicy policy;
  private final Clock clock;
  private final DiskUsage usage;
  /** The recorded images by digest, as on disk (read once at start). */
  private final Map<String, Image> records = new HashMap<>();
  /** Task id -> the image it uses. */
  private final Map<String, Image> pins = new HashMap<>();
  private boolean pinsComplete;
  /** Unpacked sizes: layers never change once unpacked. */
  private final Map<String, Long> unpackedSizes = new ConcurrentHashMap<>();

  ImageCollector(Path root, BlobStore blobs, LayerStore layers, ImageGcPolicy policy, Clock clock, DiskUsage usage)
      throws IOException {
    this.root = Files.createDirectories(root);
    this.blobs = blobs;
    this.layers = layers;
    this.policy = policy;
    this.clock = clock;
    this.usage = usage;
    try (Stream<Path> files = Files.list(root)) {
      for (Path p : files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}")).toList()) {
        Image i = Image.parseFrom(Files.readAllBytes(p));
        records.put(i.getMeta().getId(), i);
      }
    }
  }

  public ImageGcPolicy policy() {
    return policy;
  }

  /** Task {@code taskId} will use {@code image} (it is not removed until {@link #unpin}). */
  public synchronized void pin(String taskId, Image image) {
    pins.put(taskId, image);
    touch(image.getMeta().getId());
  }

  /** Task {@code taskId} is gone from the cluster: its image may go once no other task uses it. */
  public synchronized void unpin(String taskId) {
    Image image = pins.remove(taskId);
    if (image != null) {
      touch(image.getMeta().getId());
    }
  }

  /** Every task of the node has pinned its image: collection may start. */
  public synchronized void pinsComplete() {
    pinsComplete = true;
  }

  /** {@code image}'s layers are all local now. */
  synchronized void recordPulled(Image image) throws IOException {
    if (!image.getMeta().getId().startsWith("sha256:")) {
      return; // not a registered image (tests of the layer store build such)
    }
    Path record = record(image.getMeta().getId());
    if (!Files.exists(record)) {
      Path tmp = root.resolve("." + record.getFileName() + ".tmp");
      Files.write(tmp, image.toByteArray());
      Files.move(tmp, record, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    records.put(image.getMeta().getId(), image);
    touch(image.getMeta().getId());
  }

  public synchronized List<NodeImage> list() throws IOException {
    List<NodeImage> out = new ArrayList<>();
    for (Image i : recorded()) {
      out.add(describe(i));
    }
    out.sort(Comparator.comparingLong(NodeImage::lastUsedMs).reversed().thenComparing(NodeImage::digest));
    return out;
  }

  /**
   * Removes the image that {@code reference} names (a name it was pulled as, its digest, or a
   * unique prefix of at least 4 hex digits of it).
   *
   * @throws IllegalStateException naming the tasks when a task uses it
   * @throws NoSuchFileException when this node has no such image
   */
  public Result remove(String reference) throws IOException {
    List<Path> trash = new ArrayList<>();
    NodeImage removed;
    int orphans;
    synchronized (this) {
      Image image = find(reference);
      removed = describe(image);
      if (!removed.usedBy().isEmpty()) {
        throw new IllegalStateException("image " + reference + " is used by task " + String.join(", ", removed.usedBy())
            + " on this node: remove or update the service using it first");
      }
      forgetRecord(image.getMeta().getId());
      orphans = detachUnreferencedLayers(trash);
    }
    return new Result(List.of(removed), orphans, deleteAll(trash));
  }

  /** Removes every image no task uses, whatever its age, and every layer no image has. */
  public Result prune() throws IOException {
    return collect(Integer.MIN_VALUE, false);
  }

  /**
   * The periodic collection: when usage is at or above the high threshold, removes unused images
   * older than the minimum age, least recently used first, until usage is at or below the low one.
   */
  public Result collectGarbage() throws IOException {
    synchronized (this) {
      if (!pinsComplete || usage.percentUsed() < policy.highPercent()) {
        return new Result(List.of(), 0, 0);
      }
    }
    Result r = collect(policy.lowPercent(), true);
    if (!r.removed().isEmpty() || r.orphanLayers() > 0) {
      LOG.info("image GC removed {} images and {} unused layers ({} bytes); disk now {}% used",
          r.removed().size(), r.orphanLayers(), r.reclaimedBytes(), usage.percentUsed());
    }
    return r;
  }

  private Result collect(int lowPercent, boolean respectAge) throws IOException {
    List<NodeImage> removed = new ArrayList<>();
    long reclaimed = 0;
    int orphans;
    List<Path> trash = new ArrayList<>();
    List<NodeImage> candidates = new ArrayList<>();
    synchronized (this) {
      // layers no recorded or pinned image has: left by pulls that failed, or by removed images
      orphans = detachUnreferencedLayers(trash);
      long now = clock.millis();
      for (Image i : recorded()) {
        NodeImage d = describe(i);
        if (d.usedBy().isEmpty() && (!respectAge || now - d.lastUsedMs() >= policy.minAge().toMillis())) {
          candidates.add(d);
        }
      }
    }
    reclaimed += deleteAll(trash);
    candidates.sort(Comparator.comparingLong(NodeImage::lastUsedMs).thenComparing(NodeImage::digest));
    for (NodeImage victim : candidates) {
      trash.clear();
      synchronized (this) {
        if (usage.percentUsed() <= lowPercent) {
          break;
        }
        Image image = records.get(victim.digest());
        if (image == null || pinned(victim.digest())) {
          continue; // removed meanwhile, or a task was given it since the candidates were chosen
        }
        forgetRecord(victim.digest());
        detachLayersOf(image, trash);
        removed.add(victim);
      }
      reclaimed += deleteAll(trash);
    }
    return new Result(removed, orphans, reclaimed);
  }

  private boolean pinned(String digest) {
    return pins.values().stream().anyMatch(i -> i.getMeta().getId().equals(digest));
  }

  private void forgetRecord(String digest) throws IOException {
    records.remove(digest);
    Files.deleteIfExists(record(digest));
  }

  /** Moves the layers of a removed image that no other image has out of place; caller holds the lock. */
  private void detachLayersOf(Image image, List<Path> trash) throws IOException {
    Set<String> keep = referencedLayers();
    for (String digest : image.getLayerDigestsList()) {
      if (!keep.contains(digest)) {
        detach(digest, trash);
      }
    }
  }

  private Set<String> referencedLayers() {
    Set<String> keep = new HashSet<>();
    records.values().forEach(i -> keep.addAll(i.getLayerDigestsList()));
    pins.values().forEach(i -> keep.addAll(i.getLayerDigestsList()));
    return keep;
  }

  private void detach(String digest, List<Path> trash) throws IOException {
    Path dir = layers.detach(digest);
    if (dir != null) {
      trash.add(dir);
    }
    Path blob = blobs.detach(digest);
    if (blob != null) {
      trash.add(blob);
    }
    unpackedSizes.remove(digest);
  }

  /** Moves every layer no recorded or pinned image has out of place; caller holds the lock. */
  private int detachUnreferencedLayers(List<Path> trash) throws IOException {
    Set<String> keep = referencedLayers();
    Set<String> present = new TreeSet<>();
    present.addAll(digestsIn(layers.root()));
    present.addAll(digestsIn(blobs.root()));
    int n = 0;
    for (String digest : present) {
      if (keep.contains(digest)) {
        continue;
      }
      n++;
      detach(digest, trash);
    }
    return n;
  }

  private static long deleteAll(List<Path> trash) throws IOException {
    long bytes = 0;
    for (Path p : trash) {
      bytes += sizeOf(p);
      LayerStore.deleteTree(p);
    }
    return bytes;
  }

  private static Set<String> digestsIn(Path dir) throws IOException {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{64}"))
          .forEach(n -> out.add("sha256:" + n));
    }
    return out;
  }

  private Image find(String reference) throws IOException {
    String ref = reference.strip();
    String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
    List<Image> matches = new ArrayList<>();
    for (Image i : recorded()) {
      boolean named = i.getReferencesList().contains(ref) || i.getReferencesList().contains(ref + ":latest");
      boolean digest = hex.matches("[0-9a-f]{4,64}") && (Sha256.hex(i.getMeta().getId()).startsWith(hex)
          || (!i.getConfigDigest().isEmpty() && Sha256.hex(i.getConfigDigest()).startsWith(hex)));
      if (named || digest) {
        matches.add(i);
      }
    }
    if (matches.isEmpty()) {
      throw new NoSuchFileException("no image " + reference + " on this node (see orchctl image ls --node)");
    }
    if (matches.size() > 1) {
      throw new IllegalStateException("image " + reference + " is ambiguous on this node (" + matches.size()
          + " images match): give more of the digest");
    }
    return matches.get(0);
  }

  /** Caller holds the lock. */
  private List<Image> recorded() {
    return List.copyOf(records.values());
  }

  private NodeImage describe(Image i) throws IOException {
    long size = 0;
    for (String layer : i.getLayerDigestsList()) {
      if (blobs.has(layer)) {
        size += blobs.size(layer);
      }
      if (layers.isUnpacked(layer)) {
        size += unpackedSizes.computeIfAbsent(layer, l -> {
          try {
            return sizeOf(layers.dir(l));
          } catch (IOException e) {
            return 0L;
          }
        });
      }
    }
    Set<String> users = new TreeSet<>();
    pins.forEach((task, image) -> {
      if (image.getMeta().getId().equals(i.getMeta().getId())) {
        users.add(task);
      }
    });
    long lastUsed;
    try {
      lastUsed = Files.getLastModifiedTime(record(i.getMeta().getId())).toMillis();
    } catch (NoSuchFileException e) {
      lastUsed = 0;
    }
    return new NodeImage(i.getMeta().getId(), i.getReferencesList(), size, users, lastUsed);
  }

  private Path record(String digest) throws ImageException {
    return root.resolve(Sha256.hex(digest));
  }

  private void touch(String digest) {
    try {
      Path r = record(digest);
      if (Files.exists(r)) {
        Files.setLastModifiedTime(r, FileTime.fromMillis(clock.millis()));
      }
    } catch (IOException e) {
      LOG.debug("recording the use of image {} failed: {}", digest, e.toString());
    }
  }

  private static long sizeOf(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    try (Stream<Path> all = Files.walk(p)) {
      return all.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }
}
