package dev.orch.agent.logs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * Keeps every container log at most {@code maxBytes} (checked each {@link #rotateAll} call) and
 * at most {@code maxFiles} files per task, so a task's logs use at most about maxBytes × maxFiles.
 * The shim's file descriptor cannot be reopened, so rotation copies the file to {@code .1} and
 * truncates it in place (the descriptor appends, so writes continue at the new end); lines
 * written between the copy and the truncation are lost, as with logrotate's copytruncate.
 */
public final class LogRotator {
  private final Path dir;
  private final long maxBytes;
  private final int maxFiles;

  /**
   * @param maxBytes size above which a log is rotated
   * @param maxFiles files kept per task, the live one included (1: truncate without keeping)
   */
  public LogRotator(Path dir, long maxBytes, int maxFiles) {
    if (maxBytes <= 0 || maxFiles < 1) {
      throw new IllegalArgumentException("log rotation needs a positive size and at least one file");
    }
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
  }

  /** Rotates every live log in the directory that has grown past the limit. */
  public void rotateAll() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path log : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
        try {
          if (Files.size(log) > maxBytes) {
            rotate(log);
          }
        } catch (java.nio.file.NoSuchFileException gone) {
          // the task was removed and its logs deleted meanwhile: nothing left to bound
        }
      }
    }
  }

  void rotate(Path log) throws IOException {
    Files.deleteIfExists(part(log, maxFiles - 1));
    for (int i = maxFiles - 2; i >= 1; i--) {
      if (Files.exists(part(log, i))) {
        Files.move(part(log, i), part(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (maxFiles > 1) {
      Files.copy(log, part(log, 1), StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
  }

  /**
   * Deletes every part of task {@code taskId}'s log (the task is gone from the cluster: nothing
   * can ask for its logs any more).
   */
  public static void deleteTaskLogs(Path dir, String taskId) throws IOException {
    String live = taskId + ".log";
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        if (name.equals(live) || name.startsWith(live + ".")) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * Deletes the logs of every task not in {@code keep}: those of tasks removed while the agent
   * was not running. Returns how many tasks' logs were deleted.
   */
  public static int deleteLogsExcept(Path dir, java.util.Set<String> keep) throws IOException {
    java.util.Set<String> gone = new java.util.TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        int end = name.indexOf(".log");
        if (end > 0 && !keep.contains(name.substring(0, end))) {
          gone.add(name.substring(0, end));
        }
      }
    }
    for (String task : gone) {
      deleteTaskLogs(dir, task);
    }
    return gone.size();
  }

  /** {@code task.log.N}; N = 0 is the live file. */
  static Path part(Path log, int n) {
    return n == 0 ? log : log.resolveSibling(log.getFileName() + "." + n);
  }
}
