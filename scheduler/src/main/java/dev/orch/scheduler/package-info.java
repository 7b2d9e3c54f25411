/**
 * Pure placement logic: given a snapshot of nodes and the tasks to place, decides a node for each
 * task or explains by count why none fits. Node checks (ready, availability, constraints) run once
 * per group of alike tasks; pass checks (reservations, replicas per node) run on the node the
 * scorer picks; scoring spreads over the service's spread preferences, then over nodes (fewest
 * tasks of the service first), or packs with the binpack strategy. No I/O, no threads; randomness
 * is injected and seeded.
 */
package dev.orch.scheduler;
