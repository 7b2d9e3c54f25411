/** {@code orchctl volume ls/inspect/rm/prune}: the named volumes on the nodes, through the leader. */
package dev.orch.ctl.volume;
