package dev.orch.agent.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/** The orch-shim executable, built by Maven into the jar and extracted to disk to be run. */
public final class ShimBinary {

  static final String RESOURCE = "/native/orch-shim";
  public static final String FILE_NAME = "orch-shim";

  private ShimBinary() {}

  /**
   * Makes {@code dir/orch-shim} (mode 0555) hold the shim of this jar and returns its path. A
   * different older copy is replaced by rename, never rewritten in place, so shims of running
   * containers keep their inode (and writing would fail with "text file busy" anyway).
   */
  public static Path install(Path dir) throws IOException {
    byte[] wanted;
    try (InputStream in = ShimBinary.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new NoSuchFileException(RESOURCE, null, "orch-shim is not on the classpath (was the jar built by Maven?)");
      }
      wanted = in.readAllBytes();
    }
    Files.createDirectories(dir);
    Path target = dir.resolve(FILE_NAME);
    if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), wanted)) {
      return target;
    }
    Path tmp = Files.createTempFile(dir, ".orch-shim", ".tmp");
    try {
      Files.write(tmp, wanted);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }
}
