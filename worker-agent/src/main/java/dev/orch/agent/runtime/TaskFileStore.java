package dev.orch.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Files a container gets from the cluster (secrets and configs), kept only in memory: they are
 * written to a tmpfs mounted at {@code root} (never to the node's disk) and bind-mounted read-only
 * into the container at their targets. A task's files are removed when it stops.
 */
public final class TaskFileStore {
  /** One file: its bytes, where the container sees it, and its owner and permission bits. */
  public record TaskFile(String target, byte[] data, int uid, int gid, int mode) {}

  private final Path root;
  private boolean mounted;

  public TaskFileStore(Path root) {
    this.root = root.toAbsolutePath();
  }

  /** Writes {@code files} for {@code taskId} and returns the bind mounts that show them to the container. */
  public synchronized List<ContainerConfig.BindMount> write(String taskId, List<TaskFile> files)
      throws ContainerException {
    if (files.isEmpty()) {
      return List.of();
    }
    ensureTmpfs();
    Path dir = root.resolve(taskId);
    List<ContainerConfig.BindMount> mounts = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE));
      for (int i = 0; i < files.size(); i++) {
        TaskFile f = files.get(i);
        Path file = dir.resolve(String.valueOf(i));
        Files.write(file, f.data());
        Files.setAttribute(file, "unix:uid", f.uid());
        Files.setAttribute(file, "unix:gid", f.gid());
        Files.setAttribute(file, "unix:mode", f.mode());
        mounts.add(new ContainerConfig.BindMount(file, f.target(), true));
      }
    } catch (IOException | UnsupportedOperationException e) {
      remove(taskId);
      throw new ContainerException("writing the task's secret and config files under " + dir + ": " + e);
    }
    return mounts;
  }

  /** Deletes a task's files; nothing happens when it has none. */
  public synchronized void remove(String taskId) {
    Path dir = root.resolve(taskId);
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A later removal (or a reboot: it is a tmpfs) clears it; the data never reached a disk.
    }
  }

  /** Whether {@code taskId} has files now (for tests and diagnostics). */
  public boolean has(String taskId) {
    return Files.exists(root.resolve(taskId));
  }

  public Path root() {
    return root;
  }

  /** Mounts the tmpfs once; one left by an earlier agent process is reused. Never falls back to disk. */
  private void ensureTmpfs() throws ContainerException {
    if (mounted) {
      return;
    }
    try {
      Files.createDirectories(root);
      if (!isTmpfs(root)) {
        run(List.of("mount", "-t", "tmpfs", "-o", "mode=0700,nosuid,nodev,noexec,size=64m", "orch-task-files",
            root.toString()));
        if (!isTmpfs(root)) {
          throw new ContainerException("no tmpfs at " + root + " after mounting one");
        }
      }
      mounted = true;
    } catch (IOException e) {
      throw new ContainerException("secrets and configs need a tmpfs at " + root + ": " + e.getMessage());
    }
  }

  private static boolean isTmpfs(Path dir) throws IOException {
    Set<String> tmpfs = Set.of("tmpfs", "ramfs");
    return MountInfo.self().stream().anyMatch(m -> m.mountPoint().equals(dir) && tmpfs.contains(m.fsType()));
  }

  private static void run(List<String> command) throws IOException, ContainerException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new ContainerException(String.join(" ", command) + " did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerException("interrupted running " + String.join(" ", command));
    }
    String output = new String(p.getInputStream().readAllBytes()).strip();
    if (p.exitValue() != 0) {
      throw new ContainerException(String.join(" ", command) + " failed: " + output);
    }
  }
}
