/**
 * {@code orchctl exec} and {@code orchctl stats}: commands that reach into a running task's
 * container on its node, through the manager (workers never listen, so the manager relays).
 */
package dev.orch.ctl.container;
