/**
 * Leader-only controllers. Each is one final class with one thread (a {@link
 * dev.orch.manager.orchestrator.WorkQueue}): watch events only mark keys dirty, {@code
 * reconcile(key)} re-reads committed state and converges it, failures re-queue with backoff.
 */
package dev.orch.manager.orchestrator;
