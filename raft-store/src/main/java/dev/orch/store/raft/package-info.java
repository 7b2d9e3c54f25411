/**
 * Replication of the object store with Apache Ratis (gRPC transport): {@link
 * dev.orch.store.raft.RaftStore} is one member, started from a {@link
 * dev.orch.store.raft.RaftStoreConfig}; {@link dev.orch.store.raft.OrchStateMachine} applies
 * committed transactions to a {@link dev.orch.store.state.ObjectStore}, takes checksummed
 * snapshots and reports leadership. This package is the only place in orch that touches Ratis.
 */
package dev.orch.store.raft;
