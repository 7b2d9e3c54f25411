package dev.orch.agent.runtime;

import dev.orch.agent.runtime.Container.ExitStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code exit} file the shim writes (by rename, so it is whole or absent) once the container's
 * init is gone: {@code code=N}, {@code signal=S}, {@code message=...} lines. A workload killed by a
 * signal has {@code code=128+S}, as Docker reports it.
 */
final class ExitFile {

  private ExitFile() {}

  static Optional<ExitStatus> read(Path file) throws IOException {
    Map<String, String> kv = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          kv.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ExitStatus(
          Integer.parseInt(kv.getOrDefault("code", "-1")),
          Integer.parseInt(kv.getOrDefault("signal", "0")),
          kv.getOrDefault("message", "")));
    } catch (NumberFormatException e) {
      throw new IOException(file + ": malformed exit file " + kv, e);
    }
  }
}
