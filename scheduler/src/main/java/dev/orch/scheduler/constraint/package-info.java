/**
 * The placement language shared by the API edge and the scheduler: node descriptors
 * ({@code node.labels.zone}), constraints over them ({@code node.labels.zone==eu}) and spread
 * preferences ({@code spread=node.labels.zone}). The manager validates with it before anything is
 * stored; the scheduler evaluates with the same code, so what is accepted is what is enforced.
 */
package dev.orch.scheduler.constraint;
