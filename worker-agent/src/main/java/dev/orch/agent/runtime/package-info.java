/**
 * The node's own container runtime: no Docker, containerd or runc.
 *
 * <p>{@link dev.orch.agent.runtime.LinuxContainerRuntime} owns everything a container leaves on
 * the host: its state directory (shim config, pid file, exit file, overlay upper and work dirs;
 * see {@code ContainerDirs}), its cgroups ({@link dev.orch.agent.runtime.Cgroups}, v1 or v2,
 * detected at start) and its shim process. The shim ({@code src/main/c}, extracted by {@link
 * dev.orch.agent.runtime.ShimBinary}) does what Java cannot: it clones the namespaces, mounts the
 * root filesystem, pivots into it and stays as the container's PID 1; its {@code exec} subcommand
 * runs health checks inside a running container. Containers outlive the agent; {@link
 * dev.orch.agent.runtime.LinuxContainerRuntime#recover()} re-attaches to them.
 */
package dev.orch.agent.runtime;
