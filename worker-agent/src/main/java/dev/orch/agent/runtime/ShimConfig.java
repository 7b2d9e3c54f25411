package dev.orch.agent.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the shim's {@code config}: NUL-terminated {@code key=value} records, so values (argv,
 * env) may hold any byte but NUL. Keys: hostname, rootfs, upper, work, workdir, log, netns and
 * user (optional), and repeated lower (topmost layer first, as overlayfs wants), cgroup (a cgroup.procs
 * file), mount ("ro|rw\nTARGET\nSOURCE"), tmpfs ("ro|rw\nTARGET\nSIZE_BYTES"), arg, env; caps (the capability
 * set, hex bit mask) and readonly ("1": read-only root).
 */
final class ShimConfig {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static ShimConfig forContainer(ContainerConfig config, ContainerDirs dirs, List<Path> cgroupProcs)
      throws ContainerException {
    ShimConfig c = new ShimConfig();
    c.put("hostname", config.hostname().isEmpty() ? config.id() : config.hostname());
    c.put("rootfs", dirs.rootfs().toString());
    if (dirs.dir().toString().contains(":") || dirs.dir().toString().contains(",")) {
      throw new ContainerException("state dir " + dirs.dir() + " contains ':' or ',' (overlayfs separators)");
    }
    c.put("upper", dirs.upper().toString());
    c.put("work", dirs.work().toString());
    c.put("workdir", config.workdir().isEmpty() ? "/" : config.workdir());
    c.put("log", config.logFile().toAbsolutePath().toString());
    List<Path> lowers = new ArrayList<>(config.layers());
    if (lowers.isEmpty()) {
      lowers.add(dirs.emptyLower());
    }
    for (int i = lowers.size() - 1; i >= 0; i--) {
      String lower = lowers.get(i).toAbsolutePath().toString();
      // ',' and ':' separate overlay options and layers; escaping them is not worth the risk.
      if (lower.contains(":") || lower.contains(",")) {
        throw new ContainerException("layer path " + lower + " contains ':' or ','");
      }
      c.put("lower", lower);
    }
    if (!config.user().isEmpty()) {
      c.put("user", config.user());
    }
    c.put("caps", Long.toHexString(config.hardening().capabilities()));
    if (config.hardening().readOnlyRootfs()) {
      c.put("readonly", "1");
    }
    if (config.networkNamespace() != null) {
      c.put("netns", config.networkNamespace().toAbsolutePath().toString());
    }
    for (ContainerConfig.BindMount m : config.mounts()) {
      String source = m.source().toAbsolutePath().toString();
      if (!m.target().startsWith("/") || (m.target() + source).contains("\n")) {
        throw new ContainerException("bad mount " + m + ": the target must be absolute; no newlines");
      }
      c.put("mount", (m.readOnly() ? "ro" : "rw") + "\n" + m.target() + "\n" + source);
    }
    for (ContainerConfig.TmpfsMount t : config.tmpfs()) {
      if (!t.target().startsWith("/") || t.target().contains("\n") || t.sizeBytes() < 0) {
        throw new ContainerException("bad tmpfs mount " + t + ": the target must be absolute; no newlines");
      }
      c.put("tmpfs", (t.readOnly() ? "ro" : "rw") + "\n" + t.target() + "\n" + t.sizeBytes());
    }
    for (Path procs : cgroupProcs) {
      c.put("cgroup", procs.toString());
    }
    for (String arg : config.argv()) {
      c.put("arg", arg);
    }
    for (String env : config.env()) {
      c.put("env", env);
    }
    return c;
  }

  private void put(String key, String value) throws ContainerException {
    if (value.indexOf('\0') >= 0) {
      throw new ContainerException(key + " contains a NUL byte: " + value.replace('\0', '?'));
    }
    out.writeBytes((key + "=" + value).getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }

  void writeTo(Path file) throws IOException {
    Files.write(file, out.toByteArray());
  }

  /** The first value of {@code key} in a written config, or "" (for a container's user, say). */
  static String read(Path file, String key) throws IOException {
    List<String> values = readAll(file, key);
    return values.isEmpty() ? "" : values.get(0);
  }

  /** Every value of {@code key} in a written config, in order (env, say). */
  static List<String> readAll(Path file, String key) throws IOException {
    String prefix = key + "=";
    List<String> values = new ArrayList<>();
    for (String record : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\0")) {
      if (record.startsWith(prefix)) {
        values.add(record.substring(prefix.length()));
      }
    }
    return values;
  }
}
