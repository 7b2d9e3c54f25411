package dev.orch.store.raft;

import static org.awaitility.Awaitility.await;

import dev.orch.proto.TransactionResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Members of one Raft group in this JVM, each on its own loopback port and directory, started,
 * stopped and restarted by id. Closing stops every running member at once (Ratis takes about a
 * second to close a server, so stopping three one after another would triple that).
 */
final class TestCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(15);

  private final Path dir;
  private final String clusterId;
  private final RaftStoreConfig.Tuning tuning;
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private final Map<String, RaftStore> running = new ConcurrentHashMap<>();

  TestCluster(Path dir, String clusterId, RaftStoreConfig.Tuning tuning) {
    this.dir = dir;
    this.clusterId = clusterId;
    this.tuning = tuning;
  }

  Path dir(String id) {
    return dir.resolve(id);
  }

  String clusterId() {
    return clusterId;
  }

  RaftStoreConfig.Peer peer(String id) {
    return new RaftStoreConfig.Peer(id, addresses.computeIfAbsent(id, k -> TestStores.freeAddress()));
  }

  /** Starts members that bootstrap a group of exactly {@code ids}. */
  List<RaftStore> bootstrap(String... ids) {
    List<RaftStoreConfig.Peer> peers = new ArrayList<>();
    for (String id : ids) {
      peers.add(peer(id));
    }
    List<RaftStore> started = new ArrayList<>();
    for (String id : ids) {
      started.add(start(new RaftStoreConfig(dir(id), clusterId, id, peer(id).address(), peers, tuning)));
    }
    return started;
  }

  /** Starts a member that waits to be added to the existing group. */
  RaftStore startJoining(String id) {
    return start(RaftStoreConfig.joining(dir(id), clusterId, id, peer(id).address()).withTuning(tuning));
  }

  /** Restarts a stopped member from its directory; the membership recorded there wins over the config. */
  RaftStore restart(String id) {
    return start(RaftStoreConfig.singleMember(dir(id), clusterId, id, peer(id).address()).withTuning(tuning));
  }

  RaftStore start(RaftStoreConfig config) {
    try {
      RaftStore store = RaftStore.start(config);
      running.put(config.memberId(), store);
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RaftStore get(String id) {
    RaftStore store = running.get(id);
    if (store == null) {
      throw new IllegalArgumentException(id + " is not running");
    }
    return store;
  }

  List<RaftStore> running() {
    return List.copyOf(running.values());
  }

  void stop(String id) {
    RaftStore store = running.remove(id);
    if (store != null) {
      store.close();
    }
  }

  /** Stops these members at the same time. */
  void stop(String... ids) {
    List<Thread> closers = new ArrayList<>();
    for (String id : ids) {
      Thread t = new Thread(() -> stop(id), "close-" + id);
      t.start();
      closers.add(t);
    }
    for (Thread t : closers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  RaftStore awaitLeader() {
    await().atMost(WAIT).until(() -> running.values().stream().filter(RaftStore::isLeader).count() == 1);
    return running.values().stream().filter(RaftStore::isLeader).findFirst().orElseThrow();
  }

  RaftStore aFollower() {
    return running.values().stream().filter(s -> !s.isLeader()).findFirst().orElseThrow();
  }

  static TransactionResult commit(RaftStore via, String id, String name) throws Exception {
    TransactionResult result = via.submit(TestStores.createService(id, name)).get(10, TimeUnit.SECONDS);
    if (!result.getOk()) {
      throw new AssertionError("commit of " + name + " via " + via.memberId() + " refused: " + result.getError());
    }
    return result;
  }

  void awaitEveryoneHas(String serviceName) {
    for (RaftStore store : running.values()) {
      await().atMost(WAIT).until(() -> store.read(v -> v.serviceByName(serviceName)).isPresent());
    }
  }

  @Override
  public void close() {
    stop(running.keySet().toArray(String[]::new));
  }
}
