package dev.orch.store.bench;

import static org.awaitility.Awaitility.await;

import dev.orch.proto.ActionType;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.store.raft.RaftStore;
import dev.orch.store.raft.RaftStoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three store members in this JVM on loopback ports, tuned as managers run them: Ratis writes and
 * fsyncs its log on every member before a write is acknowledged (group commit batches the fsyncs
 * of concurrent writes). Clients write through the leader's {@link RaftStore#submit}, as the
 * manager's controllers and API do.
 */
final class OrchBenchCluster implements AutoCloseable {
  /** The size of each written object, serialized. */
  static final int VALUE_BYTES = 256;
  /** The managers' tuning (election timeouts of 0.5-1 s, like etcd's 1 s), otherwise the defaults. */
  static final RaftStoreConfig.Tuning MANAGER_TUNING = new RaftStoreConfig.Tuning(Duration.ofMillis(500),
      Duration.ofMillis(1000), Duration.ofSeconds(10), 10_000, 8L << 20, Duration.ofSeconds(3));

  private final List<RaftStore> members = new ArrayList<>();
  private volatile RaftStore leader;
  private final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();

  static OrchBenchCluster start(Path dir) throws IOException {
    OrchBenchCluster cluster = new OrchBenchCluster();
    List<RaftStoreConfig.Peer> peers = new ArrayList<>();
    for (String id : List.of("m1", "m2", "m3")) {
      peers.add(new RaftStoreConfig.Peer(id, freeAddress()));
    }
    for (RaftStoreConfig.Peer peer : peers) {
      cluster.members.add(RaftStore.start(new RaftStoreConfig(dir.resolve(peer.id()), "bench", peer.id(),
          peer.address(), peers, MANAGER_TUNING)));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.members.stream().anyMatch(RaftStore::isLeader));
    cluster.leader = cluster.members.stream().filter(RaftStore::isLeader).findFirst().orElseThrow();
    return cluster;
  }

  String leaderId() {
    return leader.memberId();
  }

  /** Writes retried because leadership moved meanwhile (an overloaded machine misses heartbeats). */
  long retries() {
    return retries.get();
  }

  /**
   * Writes through the leader, as the manager's controllers do; when leadership moves, finds the
   * new leader and writes again (an upsert, so a write that did commit before is harmless).
   */
  void write(int client, long seq) throws Exception {
    String key = BenchKeys.key(client, seq);
    Transaction tx = Transaction.newBuilder()
        .addActions(StoreAction.newBuilder().setType(ActionType.UPSERT).setObject(object(key)))
        .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      RaftStore via = leader;
      if (!via.isLeader()) {
        // A write on a follower would still commit, through the Ratis client; follow the leader.
        members.stream().filter(RaftStore::isLeader).findFirst().ifPresent(l -> leader = l);
        via = leader;
      }
      try {
        TransactionResult result = via.submit(tx).get(30, TimeUnit.SECONDS);
        if (!result.getOk()) {
          throw new IllegalStateException("write of " + key + " refused: " + result.getError());
        }
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof dev.orch.store.StoreUnavailableException) || System.nanoTime() > deadline) {
          throw e;
        }
        retries.incrementAndGet();
        Thread.sleep(20);
        members.stream().filter(RaftStore::isLeader).findFirst().ifPresent(l -> leader = l);
      }
    }
  }

  /** A service whose serialized form is {@link #VALUE_BYTES} long, padded with a label. */
  static StoredObject object(String key) {
    int pad = PAD_BY_KEY_LENGTH.computeIfAbsent(key.length(), n -> {
      for (int p = 0; ; p++) {
        if (object(key, p).getSerializedSize() >= VALUE_BYTES) {
          return p;
        }
      }
    });
    return object(key, pad);
  }

  private static final java.util.Map<Integer, Integer> PAD_BY_KEY_LENGTH = new java.util.concurrent.ConcurrentHashMap<>();

  private static StoredObject object(String key, int pad) {
    return StoredObject.newBuilder().setService(Service.newBuilder()
        .setMeta(Meta.newBuilder().setId(key))
        .setSpec(ServiceSpec.newBuilder().setName(key).setReplicas(1).putLabels("pad", "x".repeat(pad)))).build();
  }

  private static InetSocketAddress freeAddress() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    members.forEach(RaftStore::close);
  }
}
