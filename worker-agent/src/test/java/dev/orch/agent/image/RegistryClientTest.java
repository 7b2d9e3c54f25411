package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Image;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The registry client against a real registry (distribution 2.8) holding images pushed by skopeo. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryClientTest {
  @TempDir static Path tmp;
  private LocalRegistry registry;
  private Path archive;
  private final RegistryClient client = new RegistryClient(Duration.ofSeconds(10));

  @BeforeAll
  void start() throws Exception {
    LocalRegistry.assumeInstalled();
    archive = tmp.resolve("busybox.tar");
    BusyboxImage.build(archive, "busybox:latest");
    registry = new LocalRegistry(Files.createDirectories(tmp.resolve("open")), null);
    registry.push(archive, "demo:1", null);
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (registry != null) {
      registry.close();
    }
  }

  private RegistryReference ref(String repoTag) {
    return RegistryReference.parse(registry.address + "/" + repoTag);
  }

  @Test
  void resolvesATagToThePlatformManifestAndPullsVerifiedLayers() throws IOException {
    Image image = client.resolve(ref("demo:1"), true, null);
    assertTrue(image.getMeta().getId().matches("sha256:[0-9a-f]{64}"));
    assertEquals(List.of(registry.address + "/demo:1"), image.getReferencesList());
    assertEquals(1, image.getLayerDigestsCount());
    assertEquals("amd64", image.getConfig().getArchitecture());
    assertEquals(registry.address, image.getSource().getRegistry());
    assertEquals("demo", image.getSource().getRepository());
    assertTrue(image.getSource().getInsecure());

    BlobStore blobs = new BlobStore(tmp.resolve("node-blobs"));
    String layer = image.getLayerDigests(0);
    try (InputStream in = new RegistryBlobSource(client, image.getSource(), null).open(layer)) {
      blobs.put(in, layer);
    }
    assertArrayEquals(Files.readAllBytes(registry.blobData(layer)), blobs.read(layer));

    // The digest the tag resolved to names the same image.
    Image byDigest = client.resolve(ref("demo@" + image.getMeta().getId()), true, null);
    assertEquals(image.getMeta().getId(), byDigest.getMeta().getId());
    assertEquals(0, byDigest.getReferencesCount(), "a digest-only reference has no name to record");
  }

  @Test
  void aMissingTagOrRepositoryIsNotFoundAndSaysWhich() {
    RegistryException tag = assertThrows(RegistryException.class, () -> client.resolve(ref("demo:nope"), true, null));
    assertEquals(RegistryException.Kind.NOT_FOUND, tag.kind());
    assertTrue(tag.getMessage().contains("tag \"nope\" does not exist in repository demo on registry " + registry.address),
        tag.getMessage());
    RegistryException repo = assertThrows(RegistryException.class, () -> client.resolve(ref("other:1"), true, null));
    assertEquals(RegistryException.Kind.NOT_FOUND, repo.kind());
  }

  @Test
  void tamperedBlobsAreRefusedWithADigestError() throws IOException {
    Image image = client.resolve(ref("demo:1"), true, null);
    String layer = image.getLayerDigests(0);
    Path data = registry.blobData(layer);
    byte[] original = Files.readAllBytes(data);
    byte[] tampered = original.clone();
    tampered[tampered.length / 2] ^= 0x55;
    Files.write(data, tampered);
    try {
      BlobStore blobs = new BlobStore(tmp.resolve("tamper-blobs"));
      ImageException e = assertThrows(ImageException.class, () -> {
        try (InputStream in = client.openBlob(image.getSource(), layer, null)) {
          blobs.put(in, layer);
        }
      });
      assertTrue(e.getMessage().contains("digest mismatch") && e.getMessage().contains(layer), e.getMessage());
      assertFalse(blobs.has(layer), "nothing of a refused blob is kept");
    } finally {
      Files.write(data, original);
    }
    Path config = registry.blobData(image.getConfigDigest());
    byte[] configBytes = Files.readAllBytes(config);
    Files.writeString(config, new String(configBytes, StandardCharsets.UTF_8).replace("\"amd64\"", "\"amd65\""));
    try {
      RegistryException e = assertThrows(RegistryException.class, () -> client.resolve(ref("demo:1"), true, null));
      assertTrue(e.getMessage().contains("digest mismatch: blob " + image.getConfigDigest()), e.getMessage());
    } finally {
      Files.write(config, configBytes);
    }
  }

  @Test
  void anIndexResolvesToItsLinuxAmd64Entry() throws Exception {
    Image single = client.resolve(ref("demo:1"), true, null);
    String manifest = single.getMeta().getId();
    long size = Files.size(registry.blobData(manifest));
    String entry = "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifest
        + "\",\"size\":" + size + ",\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"}}";
    putIndex("multi", String.format(entry, "arm64") + "," + String.format(entry, "amd64"));
    Image resolved = client.resolve(ref("demo:multi"), true, null);
    assertEquals(manifest, resolved.getMeta().getId(), "the platform manifest's digest is what gets pinned");

    putIndex("armonly", String.format(entry, "arm64"));
    RegistryException e = assertThrows(RegistryException.class, () -> client.resolve(ref("demo:armonly"), true, null));
    assertTrue(e.getMessage().contains("has no linux/amd64 image (it has linux/arm64)"), e.getMessage());
  }

  private void putIndex(String tag, String entries) throws Exception {
    String index = "{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.OCI_INDEX + "\",\"manifests\":[" + entries + "]}";
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://" + registry.address + "/v2/demo/manifests/" + tag))
        .header("Content-Type", RegistryClient.OCI_INDEX)
        .PUT(HttpRequest.BodyPublishers.ofString(index)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
  }

  @Test
  void plainHttpIsOnlySpokenToRegistriesMarkedInsecure() {
    RegistryException e = assertThrows(RegistryException.class, () -> client.resolve(ref("demo:1"), false, null));
    assertEquals(RegistryException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("--insecure-registry " + registry.address), e.getMessage());
  }

  @Test
  void basicAuthWithTheRightCredentialsOnly() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("private"));
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Path htpasswd = dir.resolve("htpasswd");
    Files.writeString(htpasswd, "alice:" + OpenBSDBCrypt.generate("2b", "s3cret".toCharArray(), salt, 4) + "\n");
    try (LocalRegistry secured = new LocalRegistry(dir, htpasswd)) {
      secured.push(archive, "private:1", "alice:s3cret");
      RegistryReference r = RegistryReference.parse(secured.address + "/private:1");
      RegistryException anonymous = assertThrows(RegistryException.class, () -> client.resolve(r, true, null));
      assertEquals(RegistryException.Kind.UNAUTHORIZED, anonymous.kind());
      assertTrue(anonymous.getMessage().contains("orchctl registry login " + secured.address), anonymous.getMessage());
      RegistryException wrong = assertThrows(RegistryException.class,
          () -> client.resolve(r, true, new RegistryClient.Credentials("alice", "wrong")));
      assertTrue(wrong.getMessage().contains("refused the credentials of user alice"), wrong.getMessage());
      assertFalse(wrong.getMessage().contains("wrong"), "the password is never in a message");

      RegistryClient.Credentials alice = new RegistryClient.Credentials("alice", "s3cret");
      Image image = client.resolve(r, true, alice);
      BlobStore blobs = new BlobStore(tmp.resolve("private-blobs"));
      String layer = image.getLayerDigests(0);
      try (InputStream in = new RegistryBlobSource(client, image.getSource(), alice).open(layer)) {
        blobs.put(in, layer);
      }
      assertTrue(blobs.has(layer));
    }
  }
}
