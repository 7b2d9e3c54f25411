package dev.orch.agent.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.proto.ImageConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OCI (and Docker v2) JSON documents orch reads: indexes, manifests, image configs. */
final class OciDocuments {

  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  static final String LAYER_TAR_GZIP = LAYER_TAR + "+gzip";
  static final String LAYER_TAR_ZSTD = LAYER_TAR + "+zstd";

  /** The only platform this runtime runs. */
  static final String OS = "linux";
  static final String ARCHITECTURE = "amd64";

  private static final ObjectMapper JSON = new ObjectMapper();

  record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations, String platform) {}

  record Manifest(Descriptor config, List<Descriptor> layers) {}

  record Config(ImageConfig config, int diffIds) {}

  private OciDocuments() {}

  static JsonNode parse(byte[] json, String what) throws ImageException {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isContainerNode()) {
        throw new ImageException(what + " is not a JSON document");
      }
      return node;
    } catch (IOException e) {
      throw new ImageException(what + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** An image index (OCI index or Docker manifest list) has "manifests"; a manifest has "layers". */
  static boolean isIndex(JsonNode doc) {
    return doc.has("manifests");
  }

  static List<Descriptor> indexEntries(JsonNode index, String what) throws ImageException {
    JsonNode manifests = index.path("manifests");
    if (!manifests.isArray() || manifests.isEmpty()) {
      throw new ImageException(what + " lists no manifests");
    }
    List<Descriptor> out = new ArrayList<>();
    for (JsonNode m : manifests) {
      out.add(descriptor(m, what));
    }
    return out;
  }

  static Manifest manifest(JsonNode doc, String what) throws ImageException {
    if (!doc.path("config").isObject() || !doc.path("layers").isArray()) {
      throw new ImageException(what + " is not an image manifest (no config or layers)");
    }
    List<Descriptor> layers = new ArrayList<>();
    for (JsonNode l : doc.path("layers")) {
      layers.add(descriptor(l, what));
    }
    return new Manifest(descriptor(doc.path("config"), what), layers);
  }

  private static Descriptor descriptor(JsonNode d, String what) throws ImageException {
    String digest = d.path("digest").asText("");
    Sha256.hex(digest); // refuses anything that is not a sha256 digest
    Map<String, String> annotations = new LinkedHashMap<>();
    d.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
    JsonNode p = d.path("platform");
    String platform = p.isObject() ? p.path("os").asText("") + "/" + p.path("architecture").asText("") : "";
    if (!d.path("size").canConvertToLong() && !d.path("size").isMissingNode()) {
      throw new ImageException(what + ": descriptor of " + digest + " has a bad size");
    }
    return new Descriptor(d.path("mediaType").asText(""), digest, d.path("size").asLong(-1), annotations, platform);
  }

  /** Parses an image config and refuses images for another platform. */
  static Config config(byte[] json, String what) throws ImageException {
    JsonNode doc = parse(json, what);
    String os = doc.path("os").asText("");
    String arch = doc.path("architecture").asText("");
    if (!OS.equals(os) || !ARCHITECTURE.equals(arch)) {
      throw new ImageException(what + " is for " + os + "/" + arch + "; only " + OS + "/" + ARCHITECTURE
          + " images run on this node");
    }
    JsonNode c = doc.path("config");
    ImageConfig config = ImageConfig.newBuilder()
        .addAllEntrypoint(strings(c.path("Entrypoint")))
        .addAllCmd(strings(c.path("Cmd")))
        .addAllEnv(strings(c.path("Env")))
        .setWorkdir(c.path("WorkingDir").asText(""))
        .setUser(c.path("User").asText(""))
        .setOs(os)
        .setArchitecture(arch)
        .setStopSignal(c.path("StopSignal").asText(""))
        .setHealthcheck(healthcheck(c.path("Healthcheck")))
        .build();
    JsonNode diffIds = doc.path("rootfs").path("diff_ids");
    return new Config(config, diffIds.isArray() ? diffIds.size() : -1);
  }

  /** Docker's HEALTHCHECK in an image config: durations in nanoseconds. */
  private static dev.orch.proto.HealthConfig healthcheck(JsonNode h) {
    return dev.orch.proto.HealthConfig.newBuilder()
        .addAllTest(strings(h.path("Test")))
        .setIntervalMs(h.path("Interval").asLong(0) / 1_000_000)
        .setTimeoutMs(h.path("Timeout").asLong(0) / 1_000_000)
        .setStartPeriodMs(h.path("StartPeriod").asLong(0) / 1_000_000)
        .setRetries(h.path("Retries").asInt(0))
        .build();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(v -> out.add(v.asText()));
    }
    return out;
  }

  /** An OCI manifest for an image that came without one ({@code docker save}), in a stable form. */
  static byte[] synthesizeManifest(Descriptor config, List<Descriptor> layers) {
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", OCI_MANIFEST);
    m.set("config", descriptorJson(config));
    ArrayNode ls = m.putArray("layers");
    layers.forEach(l -> ls.add(descriptorJson(l)));
    try {
      return JSON.writeValueAsString(m).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("serializing a tree of strings and numbers cannot fail", e);
    }
  }

  private static ObjectNode descriptorJson(Descriptor d) {
    ObjectNode n = JSON.createObjectNode();
    n.put("mediaType", d.mediaType());
    n.put("digest", d.digest());
    n.put("size", d.size());
    return n;
  }

  /** Media type of a layer blob, from its first bytes. */
  static String layerMediaType(byte[] head) {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return LAYER_TAR_GZIP;
    }
    if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
      return LAYER_TAR_ZSTD;
    }
    return LAYER_TAR;
  }
}
