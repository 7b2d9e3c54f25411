/**
 * A small in-process implementation of Ratis' metrics API. Ratis 3 ships its metrics
 * implementations as separate artifacts and refuses to start a server without one; this keeps the
 * store self-contained (counters, timers and gauges held in memory, readable through {@link
 * dev.orch.store.raft.metrics.RatisMetricRegistries#snapshot()}) until the manager bridges them to
 * its own metrics. It is registered through {@code META-INF/services}.
 */
package dev.orch.store.raft.metrics;
