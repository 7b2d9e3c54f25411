/**
 * JMH benchmarks of the scheduler, run with {@code deploy/bin/orch-bench-scheduler}. They live
 * with the tests so that JMH stays out of the scheduler's runtime dependencies.
 */
package dev.orch.scheduler.bench;
