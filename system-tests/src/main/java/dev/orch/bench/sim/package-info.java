/**
 * SIMULATION ONLY, for benchmarks: workers that speak the real Dispatcher protocol (Session,
 * Heartbeat, Assignments, UpdateTaskStatus) and report their tasks RUNNING without starting any
 * container, so thousands of nodes fit in one JVM. Nothing here is used by {@code orchd}.
 */
package dev.orch.bench.sim;
