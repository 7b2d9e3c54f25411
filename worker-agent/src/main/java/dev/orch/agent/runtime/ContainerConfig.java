package dev.orch.agent.runtime;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything the runtime needs to start one container.
 *
 * @param id unique container id (also used for cgroup and state directory names)
 * @param hostname the container's UTS hostname
 * @param layers unpacked image layer directories, lowest first
 * @param argv the workload's argv; argv[0] is resolved inside the container's PATH
 * @param env K=V entries
 * @param workdir working directory inside the container ("/" when empty)
 * @param limits memory, CPU and pids limits; 0 means none (pids: the runtime default)
 * @param logFile where the workload's stdout and stderr go
 * @param networkNamespace a network namespace to join (for example {@code /run/netns/NAME},
 *     prepared with its interfaces before start), or null for a new one with only {@code lo}
 * @param mounts host paths bind-mounted into the container (volumes, /etc/resolv.conf)
 * @param user who the workload runs as: "name", "uid", "name:group" or "uid:gid", resolved in
 *     the image's /etc/passwd and /etc/group; empty for root
 * @param hardening capabilities and read-only root; {@link Hardening#DEFAULT} is Docker's defaults
 * @param tmpfs tmpfs file systems mounted into the container
 */
public record ContainerConfig(
    String id,
    String hostname,
    List<Path> layers,
    List<String> argv,
    List<String> env,
    String workdir,
    ResourceLimits limits,
    Path logFile,
    Path networkNamespace,
    List<BindMount> mounts,
    String user,
    Hardening hardening,
    List<TmpfsMount> tmpfs) {

  /** Without hardening options (Docker's default capabilities, a writable root) or tmpfs mounts. */
  public ContainerConfig(
      String id, String hostname, List<Path> layers, List<String> argv, List<String> env, String workdir,
      ResourceLimits limits, Path logFile, Path networkNamespace, List<BindMount> mounts, String user) {
    this(id, hostname, layers, argv, env, workdir, limits, logFile, networkNamespace, mounts, user, Hardening.DEFAULT);
  }

  /** Without tmpfs mounts. */
  public ContainerConfig(
      String id, String hostname, List<Path> layers, List<String> argv, List<String> env, String workdir,
      ResourceLimits limits, Path logFile, Path networkNamespace, List<BindMount> mounts, String user,
      Hardening hardening) {
    this(id, hostname, layers, argv, env, workdir, limits, logFile, networkNamespace, mounts, user, hardening,
        List.of());
  }

  /** A container in its own new network namespace, without bind mounts. */
  public ContainerConfig(
      String id, String hostname, List<Path> layers, List<String> argv, List<String> env, String workdir,
      ResourceLimits limits, Path logFile) {
    this(id, hostname, layers, argv, env, workdir, limits, logFile, null, List.of(), "");
  }

  public ContainerConfig {
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    user = user == null ? "" : user;
    hardening = hardening == null ? Hardening.DEFAULT : hardening;
    tmpfs = tmpfs == null ? List.of() : List.copyOf(tmpfs);
  }

  /**
   * @param capabilities the bounding (and effective) capability set, bit N = capability N
   *     ({@link Capabilities#boundingSet})
   * @param readOnlyRootfs mount the root filesystem read-only (/dev, /proc, /dev/shm and mounts
   *     keep their own modes)
   */
  public record Hardening(long capabilities, boolean readOnlyRootfs) {
    public static final Hardening DEFAULT = new Hardening(Capabilities.boundingSet(List.of(), List.of()), false);
  }

  /** memoryBytes and nanoCpus of 0 mean unlimited; pids of 0 means the runtime default. */
  public record ResourceLimits(long memoryBytes, long nanoCpus, long pids) {}

  /**
   * @param source a host file or directory
   * @param target an absolute path inside the container; created if missing
   */
  public record BindMount(Path source, String target, boolean readOnly) {}

  /**
   * @param target an absolute path inside the container; created if missing
   * @param sizeBytes the file system's size limit; 0 for the kernel's default (half of RAM)
   */
  public record TmpfsMount(String target, long sizeBytes, boolean readOnly) {}

  /** This config in the network namespace {@code netns}, with {@code extra} bind mounts added. */
  public ContainerConfig withNetwork(Path netns, List<BindMount> extra) {
    List<BindMount> all = new java.util.ArrayList<>(mounts);
    all.addAll(extra);
    return new ContainerConfig(id, hostname, layers, argv, env, workdir, limits, logFile, netns, all, user,
        hardening, tmpfs);
  }
}
