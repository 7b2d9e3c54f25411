package dev.orch.agent.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The records orch-shim writes, read back as lines: parts joined, old files, since, rotation. */
class LogReaderTest {
  private static final long T0 = 1_764_064_800_000_000_000L; // 2025-11-25T10:00:00Z
  private static final DateTimeFormatter SHIM_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  @TempDir Path dir;

  /** A record exactly as orch-shim-logs.c formats it. */
  static String record(long nanos, String stream, char tag, String content) {
    Instant t = Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    return SHIM_TIME.format(t) + " " + stream + " " + tag + " " + content + "\n";
  }

  private Path write(String name, String... records) throws Exception {
    Path log = dir.resolve(name);
    Files.writeString(log, String.join("", records), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return log;
  }

  private static List<String> lines(List<LogEntry> entries) {
    return entries.stream().map(LogEntry::line).toList();
  }

  @Test
  void aRecordGivesItsTimeStreamAndContent() throws Exception {
    Path log = write("a.log", record(T0 + 123_456_789, "stdout", 'F', "hello world"),
        record(T0 + 200_000_000, "stderr", 'F', ""), record(T0 + 300_000_000, "stdout", 'F', " two  spaces "));
    List<LogEntry> got = new LogReader(log).tail(-1);
    assertEquals(List.of(new LogEntry(T0 + 123_456_789, "stdout", "hello world"),
        new LogEntry(T0 + 200_000_000, "stderr", ""), new LogEntry(T0 + 300_000_000, "stdout", " two  spaces ")), got);
  }

  @Test
  void partsOfALongLineAreJoinedPerStreamAndKeepTheTimeOfTheFirst() throws Exception {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // three bytes, cut between two records
    Path log = dir.resolve("p.log");
    try (var out = Files.newOutputStream(log)) {
      out.write(ascii(record(T0, "stdout", 'P', "aaa").strip()));
      out.write(euro, 0, 1);
      out.write('\n');
      out.write(ascii(record(T0 + 1, "stderr", 'F', "an error meanwhile")));
      out.write(ascii(record(T0 + 2, "stdout", 'F', "").substring(0, 40)));
      out.write(euro, 1, 2);
      out.write(ascii("bbb\n"));
    }
    List<LogEntry> got = new LogReader(log).tail(-1);
    assertEquals(List.of(new LogEntry(T0 + 1, "stderr", "an error meanwhile"), new LogEntry(T0, "stdout", "aaa€bbb")), got);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aFileOfRawLinesWrittenBeforeRecordsIsReadAsItIs() throws Exception {
    Path log = write("old.log", "plain output\n", "2025-11-25 not a time stdout F x\n",
        "2025-11-25T10:00:00Z stdin F wrong stream\n", "2025-11-25T10:00:00Z stdout X bad tag\n",
        record(T0, "stdout", 'F', "new"));
    List<LogEntry> got = new LogReader(log).tail(-1);
    assertEquals(List.of("plain output", "2025-11-25 not a time stdout F x", "2025-11-25T10:00:00Z stdin F wrong stream",
        "2025-11-25T10:00:00Z stdout X bad tag", "new"), lines(got));
    assertFalse(got.get(0).hasTime());
    assertEquals("", got.get(0).stream());
    assertEquals(T0, got.get(4).timeNanos());
    assertNull(LogRecord.parse("x".getBytes(StandardCharsets.UTF_8), 0, 1));
  }

  @Test
  void sinceKeepsLinesFromThatTimeOnAndTailCountsOnlyThose() throws Exception {
    Path log = write("s.log", "untimed\n", record(T0, "stdout", 'F', "l0"), record(T0 + 10, "stdout", 'P', "l1-"),
        record(T0 + 20, "stdout", 'F', "end"), record(T0 + 30, "stderr", 'F', "l2"), record(T0 + 40, "stdout", 'F', "l3"));
    assertEquals(List.of("l2", "l3"), lines(new LogReader(log, T0 + 30).tail(-1)));
    assertEquals(List.of("l1-end", "l2", "l3"), lines(new LogReader(log, T0 + 10).tail(-1)));
    assertEquals(List.of("l2", "l3"), lines(new LogReader(log, T0 + 10).tail(2)));
    assertEquals(List.of("l2", "l3"), lines(new LogReader(log, T0 + 11).tail(5)),
        "a joined line has the time of its first part");
    assertEquals(List.of("untimed", "l0", "l1-end", "l2", "l3"), lines(new LogReader(log).tail(-1)));
    assertEquals(List.of(), new LogReader(log, T0 + 41).tail(-1));
  }

  @Test
  void followingHoldsPartsUntilTheLineEndsOrTheWriterPauses() throws Exception {
    Path log = write("f.log", record(T0, "stdout", 'F', "first"));
    LogReader reader = new LogReader(log, T0);
    assertEquals(List.of("first"), lines(reader.tail(10)));
    write("f.log", record(T0 + 1, "stdout", 'P', "long-"), record(T0 + 2, "stdout", 'P', "er-"));
    assertEquals(List.of(), reader.poll(), "the line goes on");
    write("f.log", record(T0 + 3, "stdout", 'F', "line"), record(T0 + 4, "stdout", 'P', "no newline at the end"));
    assertEquals(List.of(new LogEntry(T0 + 1, "stdout", "long-er-line")), reader.poll());
    assertEquals(List.of(new LogEntry(T0 + 4, "stdout", "no newline at the end")), reader.poll(),
        "nothing new: the part there is comes out");
    assertEquals(List.of(), reader.poll());
  }

  @Test
  void aRecordSplitBetweenTwoPollsAndARotationInTheMiddleOfALine() throws Exception {
    Path log = write("r.log", record(T0, "stdout", 'F', "a"));
    LogReader reader = new LogReader(log);
    assertEquals(List.of("a"), lines(reader.tail(-1)));
    String b = record(T0 + 1, "stdout", 'F', "b");
    write("r.log", b.substring(0, 10));
    assertEquals(List.of(), reader.poll());
    write("r.log", b.substring(10), record(T0 + 2, "stdout", 'P', "c1-"));
    assertEquals(List.of("b"), lines(reader.poll()));
    new LogRotator(dir, 1, 3).rotateAll();
    write("r.log", record(T0 + 3, "stdout", 'F', "c2"));
    assertEquals(List.of(new LogEntry(T0 + 2, "stdout", "c1-c2")), reader.poll());
    assertEquals(List.of("a", "b", "c1-c2"), lines(new LogReader(log).tail(-1)), "the tail joins across parts");
  }

  @Test
  void theLinesOfSeveralTasksAreMergedInTimeOrderKeepingEachTasksOrder() {
    Map<String, List<LogEntry>> byTask = new LinkedHashMap<>();
    byTask.put("t1", List.of(new LogEntry(T0 + 5, "stdout", "t1-a"), LogEntry.untimed("t1-b"),
        new LogEntry(T0 + 30, "stdout", "t1-c")));
    byTask.put("t2", List.of(new LogEntry(T0 + 1, "stdout", "t2-a"), new LogEntry(T0 + 20, "stdout", "t2-b"),
        new LogEntry(T0 + 10, "stdout", "t2-clock-set-back"), new LogEntry(T0 + 40, "stdout", "t2-d")));
    byTask.put("t3", List.of());
    List<String> merged = LogMerge.inTimeOrder(byTask).stream().map(e -> e.taskId() + ":" + e.entry().line()).toList();
    assertEquals(List.of("t2:t2-a", "t1:t1-a", "t1:t1-b", "t2:t2-b", "t2:t2-clock-set-back", "t1:t1-c", "t2:t2-d"),
        merged);
    assertTrue(LogMerge.inTimeOrder(Map.of()).isEmpty());
  }
}
