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

  /** Opens (creating if needed) the store at {@code root}; installs orch-shim there for layer fixups. */
  public ImageStore(Path root) throws IOException {
    this.blobs = new BlobStore(root.resolve("blobs"));
    this.layers = new LayerStore(root.resolve("layers"), blobs, ShimBinary.install(root));
    this.archives = new ImageArchiveReader(blobs);
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
