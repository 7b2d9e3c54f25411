/**
 * The cluster state as a deterministic, single-threaded, in-memory state machine with no Raft in
 * it: {@link dev.orch.store.state.ObjectStore} validates and applies transactions (versions,
 * unique names, all-or-nothing), keeps the read indexes, produces watch events and reads and writes
 * snapshot streams; {@link dev.orch.store.state.BackupCodec} frames a snapshot stream as a
 * versioned, checksummed backup and {@link dev.orch.store.state.StateHash} fingerprints a state
 * independently of order. Being pure, it is unit-tested in milliseconds; the {@code raft} package adds
 * replication, locking and persistence around it.
 */
package dev.orch.store.state;
