package dev.orch.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code shim.pid}, written by the shim before it reports "started": {@code "<shim pid> <init pid>
 * <shim start ticks>"}. The start time tells a live shim from an unrelated process that reused its
 * pid after a reboot or a long downtime.
 */
record ShimPidFile(long shimPid, long initPid, long shimStartTicks) {

  static Optional<ShimPidFile> read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file).trim();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String[] f = text.split("\\s+");
    if (f.length != 3) {
      throw new IOException(file + ": malformed shim pid file: " + text);
    }
    return Optional.of(new ShimPidFile(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
  }

  boolean shimAlive() {
    return ProcStat.read(shimPid).map(s -> s.startTicks() == shimStartTicks).orElse(false);
  }

  /** The container's init, if it is still alive and still the child of this shim. */
  Optional<ProcessHandle> init() {
    if (!shimAlive()) {
      return Optional.empty();
    }
    return ProcStat.read(initPid)
        .filter(s -> s.ppid() == shimPid)
        .flatMap(s -> ProcessHandle.of(initPid));
  }
}
