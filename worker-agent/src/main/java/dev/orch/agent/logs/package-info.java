/**
 * Container logs on the node: {@code <task id>.log} is what the container writes now (its
 * stdout and stderr, appended by the shim), {@code <task id>.log.1} ... the older parts after
 * rotation. {@link dev.orch.agent.logs.LogRotator} bounds their size; {@link
 * dev.orch.agent.logs.LogReader} reads the last lines and follows new ones.
 */
package dev.orch.agent.logs;
