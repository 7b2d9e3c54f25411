package dev.orch.agent.logs;

/**
 * One line of a container's output as read back from its log: the content (without the newline),
 * when the shim read it and from which stream. A line of a file written before the shim stamped
 * its lines has no time ({@link #NO_TIME}) and no stream ({@code ""}).
 *
 * @param timeNanos Unix time in nanoseconds at which the line (its first part) reached the shim
 * @param stream {@code stdout}, {@code stderr} or {@code ""} when not known
 */
public record LogEntry(long timeNanos, String stream, String line) {
  public static final long NO_TIME = Long.MIN_VALUE;

  public static LogEntry untimed(String line) {
    return new LogEntry(NO_TIME, "", line);
  }

  public boolean hasTime() {
    return timeNanos != NO_TIME;
  }
}
