package dev.orch.manager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The file through which orchctl on this machine finds the manager that orchd init started. */
public final class ClientConfig {
  private ClientConfig() {}

  /** {@code $ORCH_CONFIG_DIR}, else {@code ~/.orch}. */
  public static Path defaultDir(Map<String, String> env) {
    String dir = env.get("ORCH_CONFIG_DIR");
    return dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".orch");
  }

  /** Writes the manager address and the admin client bundle where orchctl looks for them. */
  static void write(Path dir, String hostPort, Path adminBundle) throws IOException {
    writeHost(dir, hostPort);
    for (String f : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
      Path tmp = dir.resolve(f + ".tmp");
      Files.copy(adminBundle.resolve(f), tmp, StandardCopyOption.REPLACE_EXISTING);
      if (f.equals("key.pem")) {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      }
      Files.move(tmp, dir.resolve(f), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void writeHost(Path dir, String hostPort) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve("host.tmp");
    Files.writeString(tmp, hostPort + "\n");
    Files.move(tmp, dir.resolve("host"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
