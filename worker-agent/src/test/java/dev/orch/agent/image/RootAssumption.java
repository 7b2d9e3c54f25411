package dev.orch.agent.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Tests that need the kernel's namespaces, mounts and cgroups run only as root; others say so loudly. */
public final class RootAssumption {

  public static final String MESSAGE = "SKIPPED: needs root for namespaces/cgroups";

  private static final boolean ROOT = checkRoot();

  private RootAssumption() {}

  private static boolean checkRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  public static void assumeRoot() {
    if (!ROOT) {
      System.err.println("!!!!!!!! " + MESSAGE + " !!!!!!!!");
    }
    Assumptions.assumeTrue(ROOT, MESSAGE);
  }
}
