package dev.orch.agent.volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** This node's named volumes and which tasks' containers use them. Thread-safe. */
public final class VolumeStore {
  /** Docker's volume names. */
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

  /** What {@code volume ls/inspect} shows of a volume. */
  public record Volume(String name, Path dataDir, long createdAtMs, long sizeBytes, Set<String> usedBy) {}

  private final Path root;
  private final Clock clock;
  /** Volume name -> ids of tasks whose container mounts it. */
  private final Map<String, Set<String>> users = new HashMap<>();

  public VolumeStore(Path root, Clock clock) throws IOException {
    this.root = Files.createDirectories(root);
    this.clock = clock;
  }

  /** Whether {@code name} is a valid volume name; the reason otherwise, for an error message. */
  public static String checkName(String name) {
    return NAME.matcher(name).matches() ? null : "invalid volume name \"" + name
        + "\": use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit";
  }

  /**
   * The data dir of volume {@code name}, created if it does not exist, now used by {@code taskId}
   * until {@link #release}.
   */
  public synchronized Path acquire(String name, String taskId) throws IOException {
    String bad = checkName(name);
    if (bad != null) {
      throw new IOException(bad);
    }
    Path dir = root.resolve(name);
    Path data = dir.resolve("_data");
    if (!Files.isDirectory(data)) {
      Files.createDirectories(data);
      Files.writeString(dir.resolve("created"), Long.toString(clock.millis()));
    }
    users.computeIfAbsent(name, k -> new TreeSet<>()).add(taskId);
    return data;
  }

  /** {@code taskId}'s container is gone: its volumes are no longer in use by it. */
  public synchronized void release(String taskId) {
    users.values().forEach(s -> s.remove(taskId));
    users.values().removeIf(Set::isEmpty);
  }

  public synchronized List<Volume> list() throws IOException {
    List<Volume> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.sorted().toList()) {
        if (Files.isDirectory(dir.resolve("_data"))) {
          out.add(describe(dir.getFileName().toString()));
        }
      }
    }
    return out;
  }

  /** The volume, or null if this node has none of that name. */
  public synchronized Volume get(String name) throws IOException {
    return checkName(name) == null && Files.isDirectory(root.resolve(name).resolve("_data")) ? describe(name) : null;
  }

  /**
   * Removes a volume and its data.
   *
   * @throws IllegalStateException naming the tasks when a container uses it
   * @throws NoSuchFileException when there is no such volume
   */
  public synchronized void remove(String name) throws IOException {
    if (get(name) == null) {
      throw new NoSuchFileException("no volume " + name + " on this node");
    }
    Set<String> using = users.getOrDefault(name, Set.of());
    if (!using.isEmpty()) {
      throw new IllegalStateException("volume " + name + " is in use by the container of task "
          + String.join(", ", using) + ": remove or scale down the service using it first");
    }
    deleteTree(root.resolve(name));
  }

  /** Removes every volume no container uses; returns what was removed. */
  public synchronized List<Volume> prune() throws IOException {
    List<Volume> removed = new ArrayList<>();
    for (Volume v : list()) {
      if (v.usedBy().isEmpty()) {
        deleteTree(root.resolve(v.name()));
        removed.add(v);
      }
    }
    return removed;
  }

  private Volume describe(String name) throws IOException {
    Path dir = root.resolve(name);
    long created;
    try {
      created = Long.parseLong(Files.readString(dir.resolve("created")).strip());
    } catch (IOException | NumberFormatException e) {
      created = Files.getLastModifiedTime(dir).toMillis();
    }
    return new Volume(name, dir.resolve("_data"), created, size(dir.resolve("_data")),
        Set.copyOf(users.getOrDefault(name, Set.of())));
  }

  private static long size(Path dir) throws IOException {
    long[] total = {0};
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        total[0] += attrs.isRegularFile() ? attrs.size() : 0;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) {
        return FileVisitResult.CONTINUE;
      }
    });
    return total[0];
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
