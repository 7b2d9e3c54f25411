package dev.orch.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs {@code ip}, {@code bridge}, {@code nft} and {@code sysctl} in a network namespace. Changes go
 * in batches on stdin ({@code ip -batch -}, {@code nft -f -}) so one process does a whole step.
 */
final class KernelCommands {
  private final Path netns;

  /** @param netns the namespace to act in, {@code null} for the caller's own */
  KernelCommands(Path netns) {
    this.netns = netns;
  }

  /** Commands for another namespace (a container's). */
  static KernelCommands in(Path netns) {
    return new KernelCommands(netns);
  }

  String run(String stdin, String... argv) throws NetworkException {
    return run(stdin, false, argv);
  }

  /** @param tolerant do not fail on a non-zero exit (removals of what may be gone already) */
  private String run(String stdin, boolean tolerant, String... argv) throws NetworkException {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.add("nsenter");
      cmd.add("--net=" + netns);
    }
    cmd.addAll(List.of(argv));
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw new NetworkException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage()
          + " (install iproute2, nftables and util-linux: deploy/install-deps.sh)", e);
    }
    CompletableFuture<String> err = drain(p.getErrorStream());
    CompletableFuture<String> out = drain(p.getInputStream());
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the process exited early; its exit code and stderr tell why
    }
    try {
      int rc = p.waitFor();
      if (rc != 0 && !tolerant) {
        throw new NetworkException(String.join(" ", cmd) + " failed (exit " + rc + "): " + err.join().strip()
            + (stdin == null ? "" : "\ninput:\n" + stdin));
      }
      return out.join();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new NetworkException("interrupted running " + String.join(" ", cmd), e);
    }
  }

  /** {@code ip -batch -}; nothing is run for an empty batch. */
  void ipBatch(List<String> lines) throws NetworkException {
    if (!lines.isEmpty()) {
      run(String.join("\n", lines) + "\n", "ip", "-batch", "-");
    }
  }

  /**
   * Removals with {@code ip -force -batch -}: each line runs even if an earlier one failed, and
   * objects already gone are no error. Callers check the result where it matters.
   */
  void ipRemovals(List<String> lines) throws NetworkException {
    if (!lines.isEmpty()) {
      run(String.join("\n", lines) + "\n", true, "ip", "-force", "-batch", "-");
    }
  }

  void bridgeBatch(List<String> lines) throws NetworkException {
    if (!lines.isEmpty()) {
      run(String.join("\n", lines) + "\n", "bridge", "-batch", "-");
    }
  }

  void bridgeRemovals(List<String> lines) throws NetworkException {
    if (!lines.isEmpty()) {
      run(String.join("\n", lines) + "\n", true, "bridge", "-force", "-batch", "-");
    }
  }

  void nft(String ruleset) throws NetworkException {
    run(ruleset, "nft", "-f", "-");
  }

  /** Names of the links in the namespace. */
  List<String> linkNames() throws NetworkException {
    List<String> names = new ArrayList<>();
    for (String line : run(null, "ip", "-o", "link", "show").split("\n")) {
      String[] f = line.split(":\\s+", 3);
      if (f.length >= 2) {
        String name = f[1];
        int at = name.indexOf('@');
        names.add(at < 0 ? name : name.substring(0, at));
      }
    }
    return names;
  }

  private static CompletableFuture<String> drain(InputStream s) {
    return CompletableFuture.supplyAsync(() -> {
      try (s) {
        return new String(s.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }
}
