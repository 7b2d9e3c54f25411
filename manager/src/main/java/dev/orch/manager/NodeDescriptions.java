package dev.orch.manager;

import dev.orch.proto.NodeDescription;
import dev.orch.proto.Resources;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this machine reports about itself: hostname, platform and capacity. */
final class NodeDescriptions {
  private NodeDescriptions() {}

  static NodeDescription local() {
    return NodeDescription.newBuilder()
        .setHostname(hostname())
        .setOs("linux")
        .setArch(arch())
        .setEngineVersion("orch " + version())
        .setResources(Resources.newBuilder()
            .setNanoCpus(Runtime.getRuntime().availableProcessors() * 1_000_000_000L)
            .setMemoryBytes(memTotal()))
        .build();
  }

  private static String hostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    } catch (IOException e) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException ex) {
        return "unknown";
      }
    }
  }

  private static String arch() {
    String a = System.getProperty("os.arch");
    return switch (a) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> a;
    };
  }

  private static String version() {
    String v = NodeDescriptions.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static long memTotal() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through: capacity unknown means reservations cannot be checked, not that none fit
    }
    return Runtime.getRuntime().maxMemory();
  }
}
