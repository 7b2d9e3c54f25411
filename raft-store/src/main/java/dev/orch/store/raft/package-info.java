/**
 * Replication of the object store with Apache Ratis (gRPC transport): {@link
 * dev.orch.store.raft.RaftStore} is one member, started from a {@link
 * dev.orch.store.raft.RaftStoreConfig}; {@link dev.orch.store.raft.OrchStateMachine} applies
 * committed entries to a {@link dev.orch.store.state.ObjectStore}, takes checksummed snapshots,
 * answers read-index queries and reports leadership. Around it: the leader's batched in-process
 * write path ({@code ProposalBatcher}, {@code Proposals}), the Ratis client other members submit
 * through ({@code RaftClients}), linearizable reads ({@code LinearizableReads}), membership
 * changes with a quorum check ({@code MembershipChanges}, {@code QuorumCheck}), and offline
 * restore and force-new-cluster ({@code OfflineRecovery}, {@code RaftLogReplay}). This package is
 * the only place in orch that touches Ratis.
 */
package dev.orch.store.raft;
