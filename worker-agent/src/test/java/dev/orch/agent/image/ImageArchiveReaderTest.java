package dev.orch.agent.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Image;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageArchiveReaderTest {

  @TempDir Path dir;
  private BlobStore blobs;
  private ImageArchiveReader reader;

  @BeforeEach
  void setUp() throws Exception {
    blobs = new BlobStore(dir.resolve("blobs"));
    reader = new ImageArchiveReader(blobs);
  }

  @Test
  void importsTheBusyboxOciArchiveBuiltByTheDeployScript() throws Exception {
    Path archive = dir.resolve("busybox.tar");
    String printed = BusyboxImage.build(archive, "busybox:1.36");

    List<ImportedImage> images = reader.read(archive);

    assertEquals(1, images.size());
    ImportedImage image = images.get(0);
    assertEquals(printed, image.manifestDigest());
    assertEquals(List.of("busybox:1.36"), image.references());
    assertEquals(List.of("sh"), image.config().getCmdList());
    assertTrue(image.config().getEnv(0).startsWith("PATH=/usr/local/sbin"), image.config().getEnvList().toString());
    assertEquals("linux", image.config().getOs());
    assertEquals("amd64", image.config().getArchitecture());
    assertEquals(1, image.layerDigests().size());
    assertTrue(blobs.has(image.manifestDigest()) && blobs.has(image.configDigest()));
    assertTrue(blobs.has(image.layerDigests().get(0)));
    assertEquals(blobs.size(image.configDigest()) + blobs.size(image.layerDigests().get(0)), image.sizeBytes());

    Image proto = image.toProto();
    assertEquals(image.manifestDigest(), proto.getMeta().getId());
    assertEquals(image.layerDigests(), proto.getLayerDigestsList());
  }

  @Test
  void importsAGzippedArchive() throws Exception {
    Path archive = dir.resolve("busybox.tar");
    String printed = BusyboxImage.build(archive, "busybox:latest");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GzipCompressorOutputStream out = new GzipCompressorOutputStream(gz)) {
      out.write(Files.readAllBytes(archive));
    }
    List<ImportedImage> images = reader.read(new ByteArrayInputStream(gz.toByteArray()), "busybox.tar.gz");
    assertEquals(printed, images.get(0).manifestDigest());
  }

  @Test
  void importsADockerSaveArchiveAndSynthesizesItsManifest() throws Exception {
    byte[] layer1 = new TarBuilder().dir("etc", 0755).file("etc/hello", "hi\n").tar();
    byte[] layer2 = new TarBuilder().file("etc/second", "2\n").tarGz();
    String diff1 = Sha256.digestOf(layer1);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/bin/app\"],"
        + "\"Cmd\":[\"--serve\"],\"Env\":[\"A=1\"],\"WorkingDir\":\"/srv\",\"User\":\"nobody\"},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diff1 + "\",\"sha256:" + "1".repeat(64) + "\"]}}")
        .getBytes(StandardCharsets.UTF_8);
    String configHex = Sha256.digestOf(config).substring(7);
    String manifest = "[{\"Config\":\"" + configHex + ".json\",\"RepoTags\":[\"docker.io/library/app:1.0\"],"
        + "\"Layers\":[\"aaa/layer.tar\",\"bbb/layer.tar\"]}]";
    byte[] archive = new TarBuilder()
        .dir("aaa", 0755).file("aaa/layer.tar", layer1, 0644, 0, 0).file("aaa/json", "{}")
        .dir("ccc", 0755).file("ccc/layer.tar", layer2, 0644, 0, 0)
        .dir("bbb", 0755).symlink("bbb/layer.tar", "../ccc/layer.tar")
        .file(configHex + ".json", config, 0644, 0, 0)
        .file("manifest.json", manifest)
        .file("repositories", "{}")
        .tar();

    ImportedImage image = reader.read(new ByteArrayInputStream(archive), "app.tar").get(0);

    assertEquals(List.of("app:1.0"), image.references());
    assertEquals("sha256:" + configHex, image.configDigest());
    assertEquals(List.of(diff1, Sha256.digestOf(layer2)), image.layerDigests());
    assertEquals(List.of("/bin/app"), image.config().getEntrypointList());
    assertEquals(List.of("--serve"), image.config().getCmdList());
    assertEquals("/srv", image.config().getWorkdir());
    assertEquals("nobody", image.config().getUser());
    String synthesized = new String(blobs.read(image.manifestDigest()), StandardCharsets.UTF_8);
    assertTrue(synthesized.contains("\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\""), synthesized);
    assertTrue(synthesized.contains("\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\""), synthesized);
    // The same archive always yields the same image id.
    assertEquals(image.manifestDigest(),
        reader.read(new ByteArrayInputStream(archive), "again").get(0).manifestDigest());
  }

  @Test
  void refusesABlobWhoseContentDoesNotMatchItsName() {
    byte[] archive = new TarBuilder()
        .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
        .file("blobs/sha256/" + "ab".repeat(32), "not what the name says")
        .file("index.json", "{\"schemaVersion\":2,\"manifests\":[]}")
        .tar();
    ImageException e = assertThrows(ImageException.class,
        () -> reader.read(new ByteArrayInputStream(archive), "bad.tar"));
    assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
  }

  @Test
  void refusesSomethingThatIsNotATar() {
    byte[] junk = "this is not a tar archive at all, just some text".repeat(20).getBytes(StandardCharsets.UTF_8);
    ImageException e = assertThrows(ImageException.class,
        () -> reader.read(new ByteArrayInputStream(junk), "junk.tar"));
    assertTrue(e.getMessage().contains("not a tar"), e.getMessage());
  }

  @Test
  void refusesATarWithoutAManifest() {
    byte[] archive = new TarBuilder().file("README", "hello").tar();
    ImageException e = assertThrows(ImageException.class,
        () -> reader.read(new ByteArrayInputStream(archive), "plain.tar"));
    assertTrue(e.getMessage().contains("no index.json or manifest.json"), e.getMessage());
  }

  @Test
  void refusesAnImageForAnotherPlatform() {
    byte[] config = "{\"architecture\":\"arm64\",\"os\":\"linux\",\"config\":{}}".getBytes(StandardCharsets.UTF_8);
    String configHex = Sha256.digestOf(config).substring(7);
    byte[] archive = new TarBuilder()
        .file(configHex + ".json", config, 0644, 0, 0)
        .file("manifest.json", "[{\"Config\":\"" + configHex + ".json\",\"RepoTags\":[\"arm:1\"],\"Layers\":[]}]")
        .tar();
    ImageException e = assertThrows(ImageException.class,
        () -> reader.read(new ByteArrayInputStream(archive), "arm.tar"));
    assertTrue(e.getMessage().contains("linux/arm64; only linux/amd64"), e.getMessage());
  }

  @Test
  void normalizesReferences() {
    assertEquals("busybox:latest", ImageReference.normalize("docker.io/library/busybox"));
    assertEquals("user/app:2", ImageReference.normalize("docker.io/user/app:2"));
    assertEquals("registry:5000/app:latest", ImageReference.normalize("registry:5000/app"));
  }
}
