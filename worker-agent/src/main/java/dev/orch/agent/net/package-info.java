/**
 * The worker agent's networking: applies the network views of the assignment stream to the node
 * (through overlay-net) and connects each task's container before it starts.
 */
package dev.orch.agent.net;
