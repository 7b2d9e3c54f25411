package dev.orch.agent.runtime;

import java.util.List;

/** Runs containers on this node. Implementations are thread-safe. */
public interface ContainerRuntime extends AutoCloseable {

  /**
   * Creates and starts a container; returns once its workload has been started.
   *
   * @throws ContainerException if the container could not be started (nothing is left behind)
   */
  Container start(ContainerConfig config) throws ContainerException;

  /** Containers left by an earlier agent process on this node that are still known to the runtime. */
  List<Container> recover();

  /**
   * Starts a command in a running container (orchctl exec): stdin of the returned process feeds
   * it, stdout carries its stdout and stderr merged, the exit code is its own.
   *
   * @param workdir empty for the container's; @param user empty for the container's
   * @param terminal a pseudo-terminal of this size for the command, or null for pipes
   */
  Process startExec(String id, List<String> argv, List<String> extraEnv, String workdir, String user,
      TerminalSize terminal) throws ContainerException;

  /**
   * Runs a health check in a running container, with its environment and working directory:
   * output captured (cut), killed at {@code timeout}.
   */
  ExecResult check(String id, List<String> argv, java.time.Duration timeout) throws ContainerException;

  /** What a container uses now, from its cgroups. */
  ResourceUsage usage(String id) throws ContainerException;

  /** Removes a stopped container: its cgroup, mounts and state. Idempotent. */
  void remove(String id) throws ContainerException;

  @Override
  void close();
}
