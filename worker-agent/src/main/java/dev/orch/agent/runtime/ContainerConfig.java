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
 */
public record ContainerConfig(
    String id,
    String hostname,
    List<Path> layers,
    List<String> argv,
    List<String> env,
    String workdir,
    ResourceLimits limits,
    Path logFile) {

  /** memoryBytes and nanoCpus of 0 mean unlimited; pids of 0 means the runtime default. */
  public record ResourceLimits(long memoryBytes, long nanoCpus, long pids) {}
}
