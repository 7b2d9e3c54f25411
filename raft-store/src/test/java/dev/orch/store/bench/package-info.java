/**
 * The store write benchmark ({@link dev.orch.store.bench.StoreWriteBench}): three members with
 * fsync on loopback, one client's latency and 256 clients' throughput, side by side with a
 * three-member etcd cluster given the same workloads. Run it with {@code deploy/bin/orch-bench-store}.
 */
package dev.orch.store.bench;
