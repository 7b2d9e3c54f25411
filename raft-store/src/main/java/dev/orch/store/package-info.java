/**
 * The replicated object store as the rest of orch sees it: {@link dev.orch.store.Store} to propose
 * transactions, watch commits and follow leadership, and {@link dev.orch.store.StoreView} to read
 * committed state. Implementations live in subpackages: {@code state} holds the deterministic
 * in-memory state machine, {@code raft} replicates it with Apache Ratis. Nothing outside this
 * module touches Ratis.
 */
package dev.orch.store;
