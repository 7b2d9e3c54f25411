package dev.orch.agent.runtime;

/**
 * What a container uses now, read from its cgroups.
 *
 * @param memoryBytes memory charged to it, page cache included (v1 memory.usage_in_bytes, v2
 *     memory.current)
 * @param cpuNanos CPU time used since start (v1 cpuacct.usage, v2 cpu.stat usage_usec)
 * @param pids processes and threads (pids.current)
 */
public record ResourceUsage(long memoryBytes, long cpuNanos, long pids) {}
