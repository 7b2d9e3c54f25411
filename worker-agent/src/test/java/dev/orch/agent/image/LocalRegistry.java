package dev.orch.agent.image;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real registry (Debian's docker-registry, distribution 2.8) on loopback, started with
 * deploy/images/run-registry.sh, and skopeo to push to it. Tests skip loudly without them.
 */
final class LocalRegistry implements AutoCloseable {
  private final Process process;
  private final Path dir;
  final String address;

  static void assumeInstalled() {
    boolean ok = onPath("docker-registry") && onPath("skopeo");
    if (!ok) {
      System.err.println("!!!!!!!! SKIPPED: docker-registry and skopeo are not installed (deploy/install-deps.sh) !!!!!!!!");
    }
    Assumptions.assumeTrue(ok, "SKIPPED: needs docker-registry and skopeo");
  }

  private static boolean onPath(String tool) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
  }

  /** @param htpasswd a bcrypt htpasswd file to require basic auth with, or null */
  LocalRegistry(Path dir, Path htpasswd) throws IOException {
    this.dir = dir;
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    address = "127.0.0.1:" + port;
    List<String> cmd = new ArrayList<>(List.of("bash", script().toString(), dir.toString(), address));
    if (htpasswd != null) {
      cmd.add(htpasswd.toString());
    }
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("registry.log").toFile()).start();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> status("/v2/") != 0);
  }

  private static Path script() {
    return BusyboxImage.script().resolveSibling("run-registry.sh");
  }

  /** HTTP status of GET path (0 while nothing answers). */
  int status(String path) throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
    }
    HttpURLConnection c = (HttpURLConnection) URI.create("http://" + address + path).toURL().openConnection();
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  /** Pushes an OCI archive as REPO:TAG with skopeo. */
  void push(Path ociArchive, String repoTag, String credentials) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false"));
    if (credentials != null) {
      cmd.add("--dest-creds=" + credentials);
    }
    cmd.add("oci-archive:" + ociArchive);
    cmd.add("docker://" + address + "/" + repoTag);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("skopeo copy failed: " + out);
    }
  }

  /** Where the registry keeps the content of blob {@code digest}. */
  Path blobData(String digest) {
    String hex = digest.substring("sha256:".length());
    return dir.resolve("storage/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
