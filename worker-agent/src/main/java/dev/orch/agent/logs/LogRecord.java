package dev.orch.agent.logs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One record of a log file in the CRI log format that orch-shim writes: {@code TIME STREAM TAG
 * CONTENT}, where TIME is RFC 3339 with nanoseconds, STREAM is {@code stdout} or {@code stderr},
 * and TAG is {@code F} (the content ends a line) or {@code P} (a part; the line goes on in the
 * stream's next record).
 *
 * @param contentFrom where the content starts in the record's bytes
 */
record LogRecord(long timeNanos, String stream, boolean partial, int contentFrom) {

  /** Parses {@code b[from, to)} (one record without its newline); null when it is not one. */
  static LogRecord parse(byte[] b, int from, int to) {
    int space = indexOf(b, (byte) ' ', from, Math.min(to, from + 40));
    if (space < 0) {
      return null;
    }
    String stream;
    if (startsWith(b, space + 1, to, "stdout ")) {
      stream = "stdout";
    } else if (startsWith(b, space + 1, to, "stderr ")) {
      stream = "stderr";
    } else {
      return null;
    }
    int tag = space + 8;
    if (tag >= to || (b[tag] != 'F' && b[tag] != 'P') || (tag + 1 < to && b[tag + 1] != ' ')) {
      return null;
    }
    long time;
    try {
      Instant t = Instant.parse(new String(b, from, space - from, StandardCharsets.US_ASCII));
      time = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (DateTimeParseException | ArithmeticException notATime) {
      return null;
    }
    return new LogRecord(time, stream, b[tag] == 'P', Math.min(tag + 2, to));
  }

  private static int indexOf(byte[] b, byte value, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] b, int from, int to, String ascii) {
    if (to - from < ascii.length()) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (b[from + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
