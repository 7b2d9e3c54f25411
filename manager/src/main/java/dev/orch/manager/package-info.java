/**
 * The orchd daemon: node identity, the Raft-backed store's lifecycle, the gRPC servers, and the
 * wiring of leader-only controllers and the local worker agent.
 */
package dev.orch.manager;
