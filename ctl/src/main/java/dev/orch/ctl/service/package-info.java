/**
 * {@code orchctl service ...}: create (and wait for convergence), ls, ps, inspect, scale, rm.
 * Services are named by id, id prefix or name; the manager resolves them, so the client never
 * guesses which service a name means.
 */
package dev.orch.ctl.service;
