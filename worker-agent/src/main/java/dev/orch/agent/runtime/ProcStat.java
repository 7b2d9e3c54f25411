package dev.orch.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of {@code /proc/<pid>/stat} that identify a process across pid reuse: its parent and
 * its start time in clock ticks since boot.
 */
record ProcStat(long pid, long ppid, long startTicks) {

  static Optional<ProcStat> read(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return Optional.empty();
    }
    // The command name (field 2) may contain spaces and ')': fields are counted after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state), so field n is f[n - 3]; a zombie is as good as gone.
    if (f.length < 20 || f[0].equals("Z")) {
      return Optional.empty();
    }
    return Optional.of(new ProcStat(pid, Long.parseLong(f[1]), Long.parseLong(f[19])));
  }
}
