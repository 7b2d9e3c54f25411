package dev.orch.agent.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRotationTest {
  @TempDir Path dir;

  @Test
  void logsStayBoundedWhileTheWriterKeepsItsAppendingDescriptor() throws Exception {
    Path log = dir.resolve("task1.log");
    LogRotator rotator = new LogRotator(dir, 100, 3);
    // The shim's descriptor: opened once with O_APPEND, never reopened.
    try (OutputStream writer = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (int i = 1; i <= 60; i++) {
        writer.write(String.format("line-%02d\n", i).getBytes(StandardCharsets.UTF_8)); // 8 bytes a line
        writer.flush();
        rotator.rotateAll();
      }
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of("task1.log", "task1.log.1", "task1.log.2"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    long total = 0;
    for (String f : List.of("task1.log", "task1.log.1", "task1.log.2")) {
      long size = Files.size(dir.resolve(f));
      assertTrue(size <= 104, f + " is " + size + " bytes");
      total += size;
    }
    assertTrue(total <= 3 * 104, "bounded: " + total);
    String live = Files.readString(log);
    assertTrue(live.endsWith("line-60\n") && !live.startsWith("\0"), "writes continue at the start after a truncation: " + live);

    LogReader reader = new LogReader(log);
    List<String> last = reader.tail(20).stream().map(LogEntry::line).toList();
    assertEquals(20, last.size());
    assertEquals("line-60", last.get(19));
    assertEquals("line-41", last.get(0), "the tail reaches into the rotated parts");
  }

  @Test
  void aFollowerSeesNewLinesAndStartsOverAfterARotation() throws Exception {
    Path log = dir.resolve("t.log");
    Files.writeString(log, "a\nb\npart");
    LogReader reader = new LogReader(log);
    assertEquals(List.of("a", "b"), lines(reader.tail(5)), "an unfinished line waits");
    assertEquals(List.of(), reader.poll());
    Files.writeString(log, "ial\nc\n", StandardOpenOption.APPEND);
    assertEquals(List.of("partial", "c"), lines(reader.poll()));
    new LogRotator(dir, 1, 2).rotateAll();
    Files.writeString(log, "d\n", StandardOpenOption.APPEND);
    assertEquals(List.of("d"), lines(reader.poll()));
    assertFalse(Files.readString(dir.resolve("t.log.1")).isEmpty());
  }

  @Test
  void theLogsOfARemovedTaskAreDeletedWithAllTheirParts() throws Exception {
    for (String f : List.of("gone.log", "gone.log.1", "gone.log.2", "kept.log", "kept.log.1", "gone2.log", "other")) {
      Files.writeString(dir.resolve(f), "x\n");
    }
    LogRotator.deleteTaskLogs(dir, "gone");
    assertEquals(List.of("gone2.log", "kept.log", "kept.log.1", "other"), names());
    assertEquals(1, LogRotator.deleteLogsExcept(dir, java.util.Set.of("kept")));
    assertEquals(List.of("kept.log", "kept.log.1", "other"), names());
  }

  private static List<String> lines(List<LogEntry> entries) {
    return entries.stream().map(LogEntry::line).toList();
  }

  private List<String> names() throws java.io.IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
