/**
 * Pure placement logic: given a snapshot of nodes and the tasks to place, decides a node for each
 * task or explains why none fits. No I/O, no threads; randomness is injected and seeded.
 */
package dev.orch.scheduler;
