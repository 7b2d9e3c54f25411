/**
 * Cluster-side networking: the leader's network allocator (subnets, VXLAN ids, service VIPs, task
 * endpoint addresses, published ports, all rebuilt from the store when a manager becomes leader)
 * and the per-node network views the dispatcher sends to the agents.
 */
package dev.orch.manager.network;
