package dev.orch.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.agent.image.OciDocuments.Config;
import dev.orch.agent.image.OciDocuments.Descriptor;
import dev.orch.agent.image.OciDocuments.Manifest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Imports image archives into a {@link BlobStore}: an OCI image layout in a tar ({@code
 * oci-layout}, {@code index.json}, {@code blobs/sha256/...}, as {@code skopeo copy
 * oci-archive:} and Docker 25+ write) or a classic {@code docker save} tar ({@code manifest.json},
 * {@code <hex>.json} configs, {@code <id>/layer.tar}). The archive may itself be gzip'd.
 *
 * <p>The archive is read in one pass, since the order of entries is not fixed: every blob goes
 * into the store as it streams by (verified against its name where it has one), the small JSON
 * documents are kept in memory, and the images are assembled at the end.
 */
public final class ImageArchiveReader {

  private static final Pattern BLOB_PATH = Pattern.compile("blobs/sha256/([0-9a-f]{64})");
  private static final Pattern CONFIG_PATH = Pattern.compile("([0-9a-f]{64})\\.json");
  private static final Set<String> DOCUMENTS = Set.of("index.json", "manifest.json", "oci-layout", "repositories");
  private static final int MAX_DOCUMENT = 16 << 20;

  private final BlobStore blobs;

  public ImageArchiveReader(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** What one pass over the archive found. */
  private static final class Contents {
    final Map<String, byte[]> documents = new HashMap<>();
    /** archive path to the digest of the blob stored from it */
    final Map<String, String> blobPaths = new HashMap<>();
    /** archive path to the path it links to (docker save links duplicate layers) */
    final Map<String, String> links = new HashMap<>();
  }

  /** Imports every image in the archive. */
  public List<ImportedImage> read(Path archive) throws IOException {
    try (InputStream in = Files.newInputStream(archive)) {
      return read(in, archive.toString());
    }
  }

  /**
   * Imports every image in an archive read from {@code in}.
   *
   * @param name how errors name the archive
   * @throws ImageException if it is not a tar, has no manifest, a blob does not match its digest,
   *     or an image is not for linux/amd64
   */
  public List<ImportedImage> read(InputStream in, String name) throws IOException {
    Contents contents = scan(in, name);
    if (contents.documents.containsKey("index.json")) {
      return fromOciLayout(contents, name);
    }
    if (contents.documents.containsKey("manifest.json")) {
      return fromDockerSave(contents, name);
    }
    throw new ImageException(name + ": no index.json or manifest.json: not an OCI layout or docker save archive");
  }

  private Contents scan(InputStream raw, String name) throws IOException {
    InputStream in = new BufferedInputStream(raw, 64 * 1024);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      in = new BufferedInputStream(new GzipCompressorInputStream(in), 64 * 1024);
    }
    Contents contents = new Contents();
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    TarArchiveEntry entry;
    try {
      entry = tar.getNextEntry();
    } catch (IOException e) {
      throw new ImageException(name + ": not a tar archive (" + e.getMessage() + ")", e);
    }
    if (entry == null) {
      throw new ImageException(name + ": not a tar archive, or an empty one");
    }
    for (; entry != null; entry = tar.getNextEntry()) {
      scanEntry(tar, entry, contents, name);
    }
    return contents;
  }

  private void scanEntry(TarArchiveInputStream tar, TarArchiveEntry entry, Contents contents, String name)
      throws IOException {
    String path = clean(entry.getName());
    if (entry.isSymbolicLink()) {
      contents.links.put(path, resolveRelative(path, entry.getLinkName()));
      return;
    }
    if (entry.isLink()) {
      contents.links.put(path, clean(entry.getLinkName()));
      return;
    }
    if (!entry.isFile()) {
      return;
    }
    Matcher blob = BLOB_PATH.matcher(path);
    Matcher config = CONFIG_PATH.matcher(path);
    String expected;
    if (blob.matches()) {
      expected = "sha256:" + blob.group(1);
    } else if (DOCUMENTS.contains(path)) {
      if (entry.getSize() > MAX_DOCUMENT) {
        throw new ImageException(name + ": " + path + " is too large (" + entry.getSize() + " bytes)");
      }
      contents.documents.put(path, tar.readAllBytes());
      return;
    } else if (config.matches()) {
      expected = "sha256:" + config.group(1); // docker save names configs by their digest
    } else if (path.endsWith("/layer.tar")) {
      expected = null; // classic docker save: the digest is known only once hashed
    } else {
      return; // legacy <id>/json, VERSION and the like
    }
    try {
      contents.blobPaths.put(path, blobs.put(tar, expected));
    } catch (ImageException e) {
      throw new ImageException(name + ": " + path + ": " + e.getMessage(), e);
    }
  }

  private List<ImportedImage> fromOciLayout(Contents contents, String name) throws IOException {
    JsonNode index = OciDocuments.parse(contents.documents.get("index.json"), name + ": index.json");
    Map<String, List<String>> dockerTags = contents.documents.containsKey("manifest.json")
        ? dockerTagsByConfig(contents, name) : Map.of();
    List<ImportedImage> images = new ArrayList<>();
    for (Descriptor d : OciDocuments.indexEntries(index, name + ": index.json")) {
      images.add(resolve(d, referencesOf(d), dockerTags, name));
    }
    return images;
  }

  /** Follows nested indexes down to the linux/amd64 manifest. */
  private ImportedImage resolve(Descriptor d, List<String> refs, Map<String, List<String>> dockerTags, String name)
      throws IOException {
    JsonNode doc = OciDocuments.parse(blob(d.digest(), "manifest", name), name + ": manifest " + d.digest());
    if (!OciDocuments.isIndex(doc)) {
      return fromManifest(d.digest(), doc, refs, dockerTags, name);
    }
    List<String> platforms = new ArrayList<>();
    for (Descriptor child : OciDocuments.indexEntries(doc, name + ": index " + d.digest())) {
      if (child.platform().equals(OciDocuments.OS + "/" + OciDocuments.ARCHITECTURE)) {
        return resolve(child, refs, dockerTags, name);
      }
      platforms.add(child.platform());
    }
    throw new ImageException(name + ": image index " + d.digest() + " has no linux/amd64 image, only "
        + String.join(", ", platforms));
  }

  private ImportedImage fromManifest(
      String manifestDigest, JsonNode doc, List<String> refs, Map<String, List<String>> dockerTags, String name)
      throws IOException {
    String what = name + ": manifest " + manifestDigest;
    Manifest manifest = OciDocuments.manifest(doc, what);
    String configDigest = manifest.config().digest();
    Config config = OciDocuments.config(blob(configDigest, "config", name), name + ": image config " + configDigest);
    if (config.diffIds() >= 0 && config.diffIds() != manifest.layers().size()) {
      throw new ImageException(what + " has " + manifest.layers().size() + " layers but its config lists "
          + config.diffIds());
    }
    long size = blobs.size(configDigest);
    List<String> layers = new ArrayList<>();
    for (Descriptor layer : manifest.layers()) {
      if (layer.mediaType().endsWith("+zstd")) {
        throw new ImageException(what + ": zstd-compressed layers are not supported");
      }
      if (!blobs.has(layer.digest())) {
        throw new ImageException(what + ": layer " + layer.digest() + " is not in the archive");
      }
      size += blobs.size(layer.digest());
      layers.add(layer.digest());
    }
    Set<String> allRefs = new LinkedHashSet<>(refs);
    allRefs.addAll(dockerTags.getOrDefault(configDigest, List.of()));
    return new ImportedImage(manifestDigest, configDigest, layers, size, List.copyOf(allRefs), config.config());
  }

  /**
   * References from an index entry's annotations. The OCI ref.name is often a bare tag
   * ("latest"), which names no image: only values with a ':' or '/' count.
   */
  private static List<String> referencesOf(Descriptor d) {
    Set<String> refs = new LinkedHashSet<>();
    String containerd = d.annotations().get("io.containerd.image.name");
    if (containerd != null && !containerd.isBlank()) {
      refs.add(ImageReference.normalize(containerd));
    }
    String ociRef = d.annotations().get("org.opencontainers.image.ref.name");
    if (ociRef != null && (ociRef.contains(":") || ociRef.contains("/"))) {
      refs.add(ImageReference.normalize(ociRef));
    }
    return List.copyOf(refs);
  }

  private List<ImportedImage> fromDockerSave(Contents contents, String name) throws IOException {
    JsonNode manifests = OciDocuments.parse(contents.documents.get("manifest.json"), name + ": manifest.json");
    if (!manifests.isArray() || manifests.isEmpty()) {
      throw new ImageException(name + ": manifest.json lists no images");
    }
    List<ImportedImage> images = new ArrayList<>();
    for (JsonNode m : manifests) {
      String configDigest = digestAt(contents, m.path("Config").asText(""), name);
      List<Descriptor> layers = new ArrayList<>();
      for (JsonNode layerPath : m.path("Layers")) {
        String digest = digestAt(contents, layerPath.asText(), name);
        layers.add(new Descriptor(mediaTypeOf(digest), digest, blobs.size(digest), Map.of(), ""));
      }
      Descriptor config = new Descriptor(OciDocuments.OCI_CONFIG, configDigest, blobs.size(configDigest), Map.of(), "");
      byte[] manifest = OciDocuments.synthesizeManifest(config, layers);
      String manifestDigest = blobs.put(manifest);
      List<String> refs = new ArrayList<>();
      m.path("RepoTags").forEach(t -> refs.add(ImageReference.normalize(t.asText())));
      images.add(fromManifest(manifestDigest, OciDocuments.parse(manifest, "synthesized manifest"), refs,
          Map.of(), name));
    }
    return images;
  }

  private Map<String, List<String>> dockerTagsByConfig(Contents contents, String name) throws IOException {
    Map<String, List<String>> tags = new LinkedHashMap<>();
    for (JsonNode m : OciDocuments.parse(contents.documents.get("manifest.json"), name + ": manifest.json")) {
      String config = contents.blobPaths.get(follow(contents, clean(m.path("Config").asText(""))));
      if (config != null) {
        m.path("RepoTags").forEach(t ->
            tags.computeIfAbsent(config, k -> new ArrayList<>()).add(ImageReference.normalize(t.asText())));
      }
    }
    return tags;
  }

  private String digestAt(Contents contents, String archivePath, String name) throws ImageException {
    String digest = contents.blobPaths.get(follow(contents, clean(archivePath)));
    if (digest == null) {
      throw new ImageException(name + ": manifest.json names " + archivePath + ", which is not in the archive");
    }
    return digest;
  }

  private String mediaTypeOf(String digest) throws IOException {
    try (InputStream in = blobs.open(digest)) {
      return OciDocuments.layerMediaType(in.readNBytes(4));
    }
  }

  private byte[] blob(String digest, String what, String name) throws IOException {
    if (!blobs.has(digest)) {
      throw new ImageException(name + ": " + what + " " + digest + " is not in the archive");
    }
    return blobs.read(digest);
  }

  private static String follow(Contents contents, String path) {
    for (int hops = 0; hops < 16 && contents.links.containsKey(path); hops++) {
      path = contents.links.get(path);
    }
    return path;
  }

  private static String clean(String path) {
    String p = path;
    while (p.startsWith("./") || p.startsWith("/")) {
      p = p.startsWith("./") ? p.substring(2) : p.substring(1);
    }
    return p;
  }

  /** A symlink target relative to the link's own directory, as an archive path. */
  private static String resolveRelative(String linkPath, String target) {
    if (target.startsWith("/")) {
      return clean(target);
    }
    int slash = linkPath.lastIndexOf('/');
    String base = slash < 0 ? "" : linkPath.substring(0, slash + 1);
    return Path.of(base + target).normalize().toString();
  }
}
