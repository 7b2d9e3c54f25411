/** Benchmarks of a real orch node, printed as numbers (never asserted by tests). */
package dev.orch.bench;
