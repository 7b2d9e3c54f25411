/** {@code orchctl events}: the cluster's service, task and node changes as they are committed. */
package dev.orch.ctl.events;
