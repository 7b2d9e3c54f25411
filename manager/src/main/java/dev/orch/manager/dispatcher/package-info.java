/**
 * The leader's side of the node protocol: sessions and heartbeats, per-node assignment streams,
 * batched task status updates, node health, and blob downloads for images.
 */
package dev.orch.manager.dispatcher;
