/**
 * Named local volumes of this node: {@code <root>/<name>/_data} is what containers see, {@code
 * <root>/<name>/created} when it was made. A volume is created on first use, kept after its
 * tasks end, and removed only by {@code volume rm} or {@code volume prune}, never while a
 * container of this node mounts it.
 */
package dev.orch.agent.volume;
