package dev.orch.agent.image;

import dev.orch.agent.runtime.ShimBinary;
import dev.orch.proto.Image;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This node's images: blobs under {@code <root>/blobs}, unpacked layers under {@code
 * <root>/layers}. Thread-safe.
 */
public final class ImageStore {

  private final BlobStore blobs;
  private final LayerStore layers;
  private final ImageArchiveReader archives;
  private final ImageCollector collector;

  /** Opens (creating if needed) the store at {@code root} with the default GC policy. */
  public ImageStore(Path root) throws IOException {
    this(root, ImageGcPolicy.DEFAULT, java.time.Clock.systemUTC(), null);
  }

  /**
   * Opens (creating if needed) the store at {@code root}; installs orch-shim there for layer fixups.
   *
   * @param usage how full the store's file system is; null to ask the file system
   */
  public ImageStore(Path root, ImageGcPolicy gc, java.time.Clock clock, ImageCollector.DiskUsage usage)
      throws IOException {
    this.blobs = new BlobStore(root.resolve("blobs"));
    this.layers = new LayerStore(root.resolve("layers"), blobs, ShimBinary.install(root));
    this.archives = new ImageArchiveReader(blobs);
    this.collector = new ImageCollector(root.resolve("images"), blobs, layers, gc, clock,
        usage != null ? usage : ImageCollector.DiskUsage.of(root));
  }

  /** Which images are here, which tasks use them, and their garbage collection. */
  public ImageCollector collector() {
    return collector;
  }

  public BlobStore blobs() {
    return blobs;
  }

  public LayerStore layers() {
    return layers;
  }

  /** Imports every image of an OCI layout or {@code docker save} archive. */
  public List<ImportedImage> importArchive(Path archive) throws IOException {
    return archives.read(archive);
  }

  /**
   * Makes every layer of {@code image} local and unpacked, fetching missing blobs from {@code
   * source} (verified against their digests), and returns the layer dirs lowest first, as {@link
   * dev.orch.agent.runtime.ContainerConfig#layers()} wants them.
   *
   * @param source where missing blobs come from; may be null when all are known to be local
   */
  public List<Path> layerDirs(Image image, BlobSource source) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (String digest : image.getLayerDigestsList()) {
      if (!layers.isUnpacked(digest) && !blobs.has(digest)) {
        fetch(digest, source, image);
      }
      dirs.add(layers.unpack(digest));
    }
    collector.recordPulled(image);
    return dirs;
  }

  private void fetch(String digest, BlobSource source, Image image) throws IOException {
    if (source == null) {
      throw new ImageException("layer " + digest + " of image " + image.getMeta().getId()
          + " is not on this node and there is nowhere to fetch it from");
    }
    try (InputStream in = source.open(digest)) {
      blobs.put(in, digest);
    } catch (ImageException e) {
      throw new ImageException("layer " + digest + " of image " + image.getMeta().getId() + ": " + e.getMessage(), e);
    }
  }
}
