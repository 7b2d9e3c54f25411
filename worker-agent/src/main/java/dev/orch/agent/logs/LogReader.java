package dev.orch.agent.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one task's log: the last lines (across rotated parts), then, when following, the lines
 * appended since, noticing a rotation (the live file got shorter) and starting it over. Records
 * (see {@link LogRecord}) are turned back into lines: the P parts of a long line are joined per
 * stream, and a line that is not a record (a file written before records) is returned as it is,
 * without a time. Not thread-safe: one reader per request.
 */
public final class LogReader {
  /** No {@code since}: every line, those without a time included. */
  public static final long ALL = Long.MIN_VALUE;

  private final Path log;
  private final long sinceNanos;
  private long position;
  private final ByteArrayOutputStream unfinished = new ByteArrayOutputStream();
  /** Per stream, the parts of a line whose end has not been read yet. */
  private final Map<String, Partial> partials = new HashMap<>();

  private static final class Partial {
    final long timeNanos;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Partial(long timeNanos) {
      this.timeNanos = timeNanos;
    }
  }

  public LogReader(Path log) {
    this(log, ALL);
  }

  /**
   * @param sinceNanos only lines that reached the shim at or after this Unix time in nanoseconds;
   *     lines without a time are left out too (as docker does). {@link #ALL} for everything.
   */
  public LogReader(Path log, long sinceNanos) {
    this.log = log;
    this.sinceNanos = sinceNanos;
  }

  /**
   * The last {@code tail} lines (all when negative) since the reader's time, oldest first; a line
   * whose parts are not all written yet comes out with the parts there are. Afterwards {@link
   * #poll} returns what follows them.
   */
  public List<LogEntry> tail(int tail) throws IOException {
    Deque<LogEntry> last = new ArrayDeque<>();
    List<LogEntry> lines = new ArrayList<>();
    for (int n = maxPart(); n >= 0; n--) {
      Path p = LogRotator.part(log, n);
      if (!Files.exists(p)) {
        continue;
      }
      byte[] content = Files.readAllBytes(p);
      int end = content.length;
      if (n == 0) {
        end = lastIndexOf(content, (byte) '\n') + 1;
        position = end;
      }
      int start = 0;
      for (int i = 0; i < end; i++) {
        if (content[i] == '\n') {
          lines.clear();
          addRecord(content, start, i, lines);
          keepLast(last, lines, tail);
          start = i + 1;
        }
      }
      if (start < end) { // a rotated part that does not end with a newline: its last line
        lines.clear();
        addRecord(content, start, end, lines);
        keepLast(last, lines, tail);
      }
    }
    keepLast(last, flushPartials(), tail);
    return new ArrayList<>(last);
  }

  /**
   * Lines appended since the last call; none when there are none yet. The parts of a line are
   * held until its last part is read, or until a call finds nothing new (the writer paused in
   * the middle of the line, or its stream ended there).
   */
  public List<LogEntry> poll() throws IOException {
    if (!Files.exists(log)) {
      return List.of();
    }
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long size = f.length();
      if (size < position) {
        position = 0; // rotated: the live file starts over
        unfinished.reset();
      }
      if (size == position) {
        return flushPartials();
      }
      byte[] buf = new byte[(int) Math.min(size - position, 1 << 20)];
      f.seek(position);
      f.readFully(buf);
      position += buf.length;
      List<LogEntry> lines = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < buf.length; i++) {
        if (buf[i] != '\n') {
          continue;
        }
        if (unfinished.size() > 0) {
          unfinished.write(buf, start, i - start);
          byte[] record = unfinished.toByteArray();
          unfinished.reset();
          addRecord(record, 0, record.length, lines);
        } else {
          addRecord(buf, start, i, lines);
        }
        start = i + 1;
      }
      unfinished.write(buf, start, buf.length - start);
      return lines;
    }
  }

  /** Turns the record {@code b[from, to)} into the lines it ends (none for a P part). */
  private void addRecord(byte[] b, int from, int to, List<LogEntry> out) {
    LogRecord r = LogRecord.parse(b, from, to);
    if (r == null) {
      if (sinceNanos == ALL) {
        out.add(LogEntry.untimed(new String(b, from, to - from, StandardCharsets.UTF_8)));
      }
      return;
    }
    Partial before = partials.get(r.stream());
    if (r.partial()) {
      partials.computeIfAbsent(r.stream(), s -> new Partial(r.timeNanos())).bytes.write(b, r.contentFrom(), to - r.contentFrom());
      return;
    }
    String line;
    long time = r.timeNanos();
    if (before != null) {
      partials.remove(r.stream());
      before.bytes.write(b, r.contentFrom(), to - r.contentFrom());
      line = before.bytes.toString(StandardCharsets.UTF_8);
      time = before.timeNanos;
    } else {
      line = new String(b, r.contentFrom(), to - r.contentFrom(), StandardCharsets.UTF_8);
    }
    add(out, new LogEntry(time, r.stream(), line));
  }

  private List<LogEntry> flushPartials() {
    List<LogEntry> out = new ArrayList<>();
    partials.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
        add(out, new LogEntry(e.getValue().timeNanos, e.getKey(), e.getValue().bytes.toString(StandardCharsets.UTF_8))));
    partials.clear();
    return out;
  }

  private void add(List<LogEntry> out, LogEntry e) {
    if (sinceNanos == ALL || e.timeNanos() >= sinceNanos) {
      out.add(e);
    }
  }

  private static void keepLast(Deque<LogEntry> last, List<LogEntry> lines, int tail) {
    for (LogEntry e : lines) {
      last.addLast(e);
      if (tail >= 0 && last.size() > tail) {
        last.removeFirst();
      }
    }
  }

  private int maxPart() {
    int n = 0;
    while (Files.exists(LogRotator.part(log, n + 1))) {
      n++;
    }
    return n;
  }

  private static int lastIndexOf(byte[] b, byte value) {
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }
}
