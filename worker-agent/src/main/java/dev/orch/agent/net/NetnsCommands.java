package dev.orch.agent.net;

import dev.orch.net.NetworkException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Named network namespaces for task containers ({@code ip netns}): made before the container
 * starts so its interfaces can be set up first, and kept by the bind mount under /run/netns so
 * that they outlive a restart of orchd with the container. Task ids are unique in the cluster, so
 * the names never collide between nodes sharing one machine (the test bed).
 */
public final class NetnsCommands {
  private static final Path RUN_NETNS = Path.of("/run/netns");
  private static final String PREFIX = "orch-";

  /** The namespace of {@code taskId}, created if missing. */
  public Path create(String taskId) throws NetworkException {
    Path path = path(taskId);
    if (!Files.exists(path)) {
      run(List.of("ip", "netns", "add", PREFIX + taskId));
    }
    return path;
  }

  /** Removes the namespace of {@code taskId}; a missing one is not an error. */
  public void delete(String taskId) throws NetworkException {
    if (Files.exists(path(taskId))) {
      run(List.of("ip", "netns", "delete", PREFIX + taskId));
    }
  }

  public static Path path(String taskId) {
    return RUN_NETNS.resolve(PREFIX + taskId);
  }

  private static void run(List<String> argv) throws NetworkException {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor() != 0) {
        throw new NetworkException(String.join(" ", argv) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new NetworkException(String.join(" ", argv) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NetworkException(String.join(" ", argv) + ": interrupted", e);
    }
  }
}
