package dev.orch.agent.runtime;

/**
 * How a command run inside a container ended.
 *
 * @param exitCode its exit code, 128+signal if it was killed, 126/127 if it could not be run
 * @param output its stdout and stderr, merged, cut at {@link ContainerExec#MAX_OUTPUT} bytes
 * @param timedOut whether it was killed for running past its timeout
 */
public record ExecResult(int exitCode, String output, boolean timedOut) {}
