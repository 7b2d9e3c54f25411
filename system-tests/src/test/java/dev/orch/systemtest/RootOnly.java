package dev.orch.systemtest;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tests that need root and the kernel skip loudly, never silently, when not root. */
final class RootOnly {
  private RootOnly() {}

  static void require(String what) {
    boolean root;
    try {
      root = Files.readAllLines(Path.of("/proc/self/status")).stream()
          .anyMatch(l -> l.matches("^Uid:\\s+0\\s.*"));
    } catch (IOException e) {
      root = false;
    }
    if (!root) {
      String msg = "SKIPPED: " + what + " needs root (namespaces, cgroups, mounts); run the tests as root";
      System.err.println("\n*** " + msg + " ***\n");
      assumeTrue(false, msg);
    }
  }

  /** The repository root, found from the working directory of the module under test. */
  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("deploy/images/build-busybox-image.sh"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  /** Builds the busybox test image into {@code dir} and returns the archive. */
  static Path busyboxImage(Path dir) throws IOException, InterruptedException {
    return busyboxImage(dir, "busybox:latest");
  }

  /** The same image archive under another name (e.g. {@code busybox:2}), in its own file. */
  static Path busyboxImage(Path dir, String reference) throws IOException, InterruptedException {
    Path out = dir.resolve(reference.equals("busybox:latest") ? "busybox.tar"
        : "busybox-" + reference.replaceAll("[^A-Za-z0-9.]", "-") + ".tar");
    Process p = new ProcessBuilder("bash", repoRoot().resolve("deploy/images/build-busybox-image.sh").toString(),
        out.toString(), reference).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("building the busybox image failed:\n" + log);
    }
    return out;
  }
}
