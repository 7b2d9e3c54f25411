/**
 * The seeded fault campaign: a test bed of three managers and three workers, concurrent Control
 * API clients whose every call is recorded, faults chosen by a seed, and checkers run on the
 * recorded history (linearizability, lost writes, convergence, one leader per term).
 */
package dev.orch.faults;
