package dev.orch.manager;

import dev.orch.agent.runtime.Container;
import dev.orch.agent.runtime.ContainerException;
import dev.orch.agent.runtime.LinuxContainerRuntime;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code orchd leave}: this node stops belonging to its cluster. Its containers are stopped and
 * removed and its data dir (certificates included) is deleted; the managers see it go DOWN and
 * reschedule its tasks, and {@code orchctl node rm} forgets it.
 */
final class NodeLeaver {
  private NodeLeaver() {}

  static void leave(Path dataDir, boolean force, Duration grace) throws IOException {
    NodeIdentity id = NodeIdentity.load(dataDir);
    if (id.manager() && !force) {
      throw new OrchDaemon.UsageError("this node is a manager of cluster " + id.clusterId()
          + "; leaving deletes the cluster state it holds. Use --force to leave anyway");
    }
    try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
      removeContainers(dataDir, id, grace);
    }
    deleteTree(dataDir);
  }

  private static void removeContainers(Path dataDir, NodeIdentity id, Duration grace) throws IOException {
    Path runtimeDir = dataDir.resolve("worker/runtime");
    if (!Files.isDirectory(runtimeDir)) {
      return;
    }
    try (LinuxContainerRuntime runtime = new LinuxContainerRuntime(runtimeDir, "orch/" + id.nodeId())) {
      for (Container c : runtime.recover()) {
        c.stop(grace);
        try {
          c.exited().get(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
          throw new IOException("container " + c.id() + " did not stop: " + e.getMessage(), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while stopping containers", e);
        }
        runtime.remove(c.id());
      }
    } catch (ContainerException e) {
      throw new IOException("removing this node's containers failed: " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
