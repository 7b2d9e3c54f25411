package dev.orch.bench;

import dev.orch.agent.image.BlobSource;
import dev.orch.agent.image.ImageStore;
import dev.orch.agent.image.RegistryBlobSource;
import dev.orch.agent.image.RegistryClient;
import dev.orch.agent.image.RegistryReference;
import dev.orch.proto.Image;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Registry pull benchmark: a real registry (docker-registry, distribution 2.8) on loopback holds
 * an image with one layer of incompressible data, pushed by skopeo. The manager's resolution of
 * the tag is timed, then NODES image stores (each a node's {@code worker/images}) pull and unpack
 * the layer at once with the agent's code; then a second service on the same image is prepared on
 * every node, which must fetch nothing.
 */
@Command(name = "orch-bench-pull", mixinStandardHelpOptions = true)
public final class RegistryPullBench implements Callable<Integer> {
  @Option(names = "--layer-mb", defaultValue = "50", description = "Size of the image's layer (MiB).")
  int layerMb;

  @Option(names = "--nodes", defaultValue = "2", description = "Nodes pulling at once.")
  int nodes;

  @Option(names = "--runs", defaultValue = "3", description = "Measured runs, each with empty node stores.")
  int runs;

  @Option(names = "--dir", description = "Work directory (default: a temp dir, removed after).")
  Path dir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RegistryPullBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("orch-bench-pull");
    Path archive = work.resolve("image.tar");
    long layerBytes = buildImage(archive, (long) layerMb << 20);
    String address = "127.0.0.1:" + freePort();
    Process registry = new ProcessBuilder("bash", Path.of("deploy/images/run-registry.sh").toAbsolutePath().toString(),
        work.resolve("registry").toString(), address).redirectErrorStream(true)
        .redirectOutput(work.resolve("registry.log").toFile()).start();
    try {
      waitForRegistry(address, registry);
      run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci-archive:" + archive, "docker://" + address + "/bench:1");
      System.out.printf(Locale.ROOT, "image: one layer of %.1f MiB (gzip of random data), registry %s%n",
          layerBytes / 1048576.0, address);
      for (int r = 1; r <= runs; r++) {
        measure(r, address, work.resolve("run" + r));
      }
    } finally {
      registry.destroy();
      registry.waitFor(10, TimeUnit.SECONDS);
      if (dir == null) {
        run("rm", "-rf", work.toString());
      }
    }
    return 0;
  }

  private void measure(int run, String address, Path runDir) throws Exception {
    RegistryClient client = new RegistryClient(Duration.ofSeconds(30));
    long t0 = System.nanoTime();
    Image image = client.resolve(RegistryReference.parse(address + "/bench:1"), true, null);
    long resolved = System.nanoTime();
    List<ImageStore> stores = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      stores.add(new ImageStore(runDir.resolve("node" + n)));
    }
    AtomicLong fetched = new AtomicLong();
    List<CompletableFuture<Long>> pulls = new ArrayList<>();
    long start = System.nanoTime();
    for (ImageStore store : stores) {
      pulls.add(CompletableFuture.supplyAsync(() -> prepare(store, image, counting(client, image, fetched))));
    }
    List<Long> ends = pulls.stream().map(CompletableFuture::join).toList();
    long last = ends.stream().mapToLong(Long::longValue).max().orElseThrow();
    double seconds = (last - start) / 1e9;
    long firstBytes = fetched.getAndSet(0);
    long secondStart = System.nanoTime();
    for (ImageStore store : stores) {
      prepare(store, image, counting(client, image, fetched));
    }
    long second = System.nanoTime() - secondStart;
    System.out.printf(Locale.ROOT, "run %d: resolve %.1f ms; %d nodes pulled+verified+unpacked in %.2f s "
            + "(slowest node), %.1f MiB fetched, %.0f MiB/s in total; second service: %d bytes fetched, %.1f ms%n",
        run, (resolved - t0) / 1e6, nodes, seconds, firstBytes / 1048576.0, firstBytes / 1048576.0 / seconds,
        fetched.get(), second / 1e6);
  }

  private static long prepare(ImageStore store, Image image, BlobSource source) {
    try {
      store.layerDirs(image, source);
      return System.nanoTime();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BlobSource counting(RegistryClient client, Image image, AtomicLong bytes) {
    BlobSource registry = new RegistryBlobSource(client, image.getSource(), null);
    return digest -> new FilterInputStream(registry.open(digest)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          bytes.addAndGet(n);
        }
        return n;
      }
    };
  }

  /** An OCI layout archive with one gzip layer holding {@code size} random bytes; the layer's size. */
  private static long buildImage(Path archive, long size) throws Exception {
    Path layer = archive.resolveSibling("layer.tar.gz");
    MessageDigest diffId = MessageDigest.getInstance("SHA-256");
    try (OutputStream file = Files.newOutputStream(layer);
         GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file);
         DigestOutputStream uncompressed = new DigestOutputStream(gz, diffId);
         TarArchiveOutputStream tar = new TarArchiveOutputStream(uncompressed)) {
      TarArchiveEntry e = new TarArchiveEntry("data.bin");
      e.setSize(size);
      e.setMode(0644);
      tar.putArchiveEntry(e);
      Random random = new Random(42);
      byte[] buf = new byte[1 << 20];
      for (long left = size; left > 0; left -= buf.length) {
        random.nextBytes(buf);
        tar.write(buf, 0, (int) Math.min(buf.length, left));
      }
      tar.closeArchiveEntry();
    }
    String layerDigest = sha256(Files.readAllBytes(layer));
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/true\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + HexFormat.of().formatHex(diffId.digest()) + "\"]}}";
    byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(configBytes)
        + "\",\"size\":" + configBytes.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
        + "\"digest\":\"" + layerDigest + "\",\"size\":" + Files.size(layer) + "}]}";
    byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
    String index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"digest\":\"" + sha256(manifestBytes) + "\",\"size\":" + manifestBytes.length + "}]}";
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      add(out, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      add(out, "index.json", index.getBytes(StandardCharsets.UTF_8));
      add(out, "blobs/sha256/" + sha256(configBytes).substring(7), configBytes);
      add(out, "blobs/sha256/" + sha256(manifestBytes).substring(7), manifestBytes);
      TarArchiveEntry e = new TarArchiveEntry("blobs/sha256/" + layerDigest.substring(7));
      e.setSize(Files.size(layer));
      out.putArchiveEntry(e);
      Files.copy(layer, out);
      out.closeArchiveEntry();
    }
    return Files.size(layer);
  }

  private static void add(TarArchiveOutputStream out, String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    out.putArchiveEntry(e);
    out.write(content);
    out.closeArchiveEntry();
  }

  private static String sha256(byte[] content) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void waitForRegistry(String address, Process registry) throws Exception {
    for (int i = 0; i < 200; i++) {
      if (!registry.isAlive()) {
        throw new IllegalStateException("docker-registry exited; see its log in the work dir");
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + address + "/v2/").toURL().openConnection();
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50); // polling a process we started, not waiting for a result
    }
    throw new IllegalStateException("docker-registry did not answer on " + address);
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
