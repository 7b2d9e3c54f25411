package dev.orch.agent.image;

import dev.orch.proto.Image;
import dev.orch.proto.ImageConfig;
import dev.orch.proto.Meta;
import java.util.List;

/**
 * An image whose manifest, config and layers are all in a {@link BlobStore}.
 *
 * @param manifestDigest the image's identity (for a {@code docker save} archive, the digest of
 *     the OCI manifest synthesized on import)
 * @param layerDigests layer blob digests, lowest layer first
 * @param sizeBytes config plus layer blobs, as stored
 * @param references normalized names found in the archive, for example {@code busybox:latest}
 */
public record ImportedImage(
    String manifestDigest,
    String configDigest,
    List<String> layerDigests,
    long sizeBytes,
    List<String> references,
    ImageConfig config) {

  public ImportedImage {
    layerDigests = List.copyOf(layerDigests);
    references = List.copyOf(references);
  }

  /** The image object as the cluster store keeps it (meta.id is the manifest digest). */
  public Image toProto() {
    return Image.newBuilder()
        .setMeta(Meta.newBuilder().setId(manifestDigest))
        .addAllReferences(references)
        .setConfigDigest(configDigest)
        .addAllLayerDigests(layerDigests)
        .setSizeBytes(sizeBytes)
        .setConfig(config)
        .build();
  }
}
