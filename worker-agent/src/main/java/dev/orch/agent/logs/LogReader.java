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
import java.util.List;

/**
 * Reads one task's log: the last lines (across rotated parts), then, when following, the lines
 * appended since, noticing a rotation (the live file got shorter) and starting it over. Not
 * thread-safe: one reader per request.
 */
public final class LogReader {
  private final Path log;
  private long position;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  public LogReader(Path log) {
    this.log = log;
  }

  /**
   * The last {@code tail} complete lines (all when negative), oldest first; afterwards {@link
   * #poll} returns what follows them.
   */
  public List<String> tail(int tail) throws IOException {
    Deque<String> last = new ArrayDeque<>();
    for (int n = maxPart(); n >= 0; n--) {
      Path p = LogRotator.part(log, n);
      if (!Files.exists(p)) {
        continue;
      }
      byte[] content = Files.readAllBytes(p);
      int end = content.length;
      if (n == 0) {
        int lastNewline = lastIndexOf(content, (byte) '\n');
        end = lastNewline + 1;
        position = end;
      }
      for (String line : split(content, end)) {
        last.addLast(line);
        if (tail >= 0 && last.size() > tail) {
          last.removeFirst();
        }
      }
    }
    return new ArrayList<>(last);
  }

  /** Complete lines appended since the last call; none when there are none yet. */
  public List<String> poll() throws IOException {
    if (!Files.exists(log)) {
      return List.of();
    }
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long size = f.length();
      if (size < position) {
        position = 0; // rotated: the live file starts over
        partial.reset();
      }
      if (size == position) {
        return List.of();
      }
      byte[] buf = new byte[(int) Math.min(size - position, 1 << 20)];
      f.seek(position);
      f.readFully(buf);
      position += buf.length;
      List<String> lines = new ArrayList<>();
      for (byte b : buf) {
        if (b == '\n') {
          lines.add(partial.toString(StandardCharsets.UTF_8));
          partial.reset();
        } else {
          partial.write(b);
        }
      }
      return lines;
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

  private static List<String> split(byte[] content, int end) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < end; i++) {
      if (content[i] == '\n') {
        lines.add(new String(content, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < end) {
      lines.add(new String(content, start, end - start, StandardCharsets.UTF_8));
    }
    return lines;
  }
}
