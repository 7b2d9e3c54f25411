/**
 * Container logs on the node: {@code <task id>.log} is what the container writes now (its
 * stdout and stderr, relayed by the shim as timestamped CRI records, see {@link
 * dev.orch.agent.logs.LogRecord}), {@code <task id>.log.1} ... the older parts after rotation.
 * {@link dev.orch.agent.logs.LogRotator} bounds their size; {@link dev.orch.agent.logs.LogReader}
 * turns the records back into lines, reads the last ones (since a time) and follows new ones;
 * {@link dev.orch.agent.logs.LogMerge} puts several tasks' lines in time order.
 */
package dev.orch.agent.logs;
