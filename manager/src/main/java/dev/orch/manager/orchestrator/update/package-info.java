/**
 * The updater: the leader-only controller that rolls a new spec out over a service's slots
 * (parallelism, delay, stop-first or start-first, monitor, failure ratio and action) and rolls
 * back to the previous spec on failure or on request.
 */
package dev.orch.manager.orchestrator.update;
