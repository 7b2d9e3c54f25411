package dev.orch.agent.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs deploy/images/build-busybox-image.sh, the same script operators use, into a test dir. */
public final class BusyboxImage {

  private BusyboxImage() {}

  /** The build script, found from the module directory Maven runs tests in. */
  public static Path script() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("deploy/images/build-busybox-image.sh");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("deploy/images/build-busybox-image.sh not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * Builds the archive into {@code out}.
   *
   * @return the manifest digest the script printed
   */
  public static String build(Path out, String reference) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", script().toString(), out.toString(), reference)
        .redirectErrorStream(true)
        .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("build-busybox-image.sh failed: " + output);
    }
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1].split(" ")[0];
  }
}
