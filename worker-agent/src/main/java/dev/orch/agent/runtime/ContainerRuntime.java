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

  /** Removes a stopped container: its cgroup, mounts and state. Idempotent. */
  void remove(String id) throws ContainerException;

  @Override
  void close();
}
