package dev.orch.agent.logs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** A container's log as the text it wrote (its lines, each ended by a newline), for tests. */
public final class LogFiles {
  private LogFiles() {}

  /** "" while the file does not exist yet. */
  public static String text(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "";
    }
    return new LogReader(log).tail(-1).stream().map(e -> e.line() + "\n").collect(Collectors.joining());
  }
}
