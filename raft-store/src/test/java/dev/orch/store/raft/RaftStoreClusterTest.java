package dev.orch.store.raft;

import static dev.orch.store.raft.TestStores.createService;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import dev.orch.store.StoreUnavailableException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three members in one JVM on loopback ports: replication, leadership and catching up. */
class RaftStoreClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;
  private final List<RaftStoreConfig.Peer> peers = new ArrayList<>();
  private final Map<String, RaftStore> running = new LinkedHashMap<>();
  private final Map<String, List<Boolean>> leadershipHeard = new LinkedHashMap<>();

  private void startCluster() throws IOException {
    for (String id : List.of("m1", "m2", "m3")) {
      peers.add(new RaftStoreConfig.Peer(id, TestStores.freeAddress()));
    }
    for (RaftStoreConfig.Peer peer : peers) {
      start(peer.id());
    }
  }

  private RaftStore start(String id) throws IOException {
    InetSocketAddress address = peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow().address();
    RaftStoreConfig config = new RaftStoreConfig(dir.resolve(id), "cluster-test", id, address, peers,
        TestStores.COMPACTING);
    RaftStore store = RaftStore.start(config);
    List<Boolean> heard = new CopyOnWriteArrayList<>();
    leadershipHeard.put(id, heard);
    store.addLeadershipListener(heard::add);
    running.put(id, store);
    return store;
  }

  private void stop(String id) {
    running.remove(id).close();
  }

  @AfterEach
  void stopAll() {
    new ArrayList<>(running.keySet()).forEach(this::stop);
  }

  private RaftStore awaitSingleLeader() {
    await().atMost(WAIT).until(() -> running.values().stream().filter(RaftStore::isLeader).count() == 1);
    return running.values().stream().filter(RaftStore::isLeader).findFirst().orElseThrow();
  }

  /** What a member's leadership listener heard last; listeners only ever hear changes, so true and false alternate. */
  private Optional<Boolean> lastHeard(String id) {
    List<Boolean> heard = leadershipHeard.get(id);
    for (int i = 1; i < heard.size(); i++) {
      assertNotEquals(heard.get(i - 1), heard.get(i), id + " heard a repeat: " + heard);
    }
    return heard.isEmpty() ? Optional.empty() : Optional.of(heard.get(heard.size() - 1));
  }

  private RaftStore aFollower() {
    return running.values().stream().filter(s -> !s.isLeader()).findFirst().orElseThrow();
  }

  private static TransactionResult commit(RaftStore store, String id, String name) throws Exception {
    TransactionResult result = store.submit(createService(id, name)).get(10, TimeUnit.SECONDS);
    assertTrue(result.getOk(), result.getError());
    return result;
  }

  private void awaitEveryoneHas(String serviceName) {
    for (RaftStore store : running.values()) {
      await().atMost(WAIT).until(() -> store.read(v -> v.serviceByName(serviceName)).isPresent());
    }
  }

  @Test
  void commitsReplicateAndLeadershipMovesWhenTheLeaderStops() throws Exception {
    startCluster();
    RaftStore leader = awaitSingleLeader();
    await().atMost(WAIT).until(() -> lastHeard(leader.memberId()).equals(Optional.of(true)));
    List<WatchEvent> followerEvents = new CopyOnWriteArrayList<>();
    RaftStore follower = aFollower();
    follower.watch(followerEvents::addAll);

    TransactionResult viaLeader = commit(leader, "s1", "web");
    TransactionResult viaFollower = commit(follower, "s2", "api");  // forwarded to the leader
    awaitEveryoneHas("web");
    awaitEveryoneHas("api");
    for (RaftStore store : running.values()) {
      assertEquals(viaLeader.getObjects(0).getService(), store.read(v -> v.service("s1")).orElseThrow());
    }
    await().atMost(WAIT).until(() -> followerEvents.size() == 2);
    assertEquals(List.of(viaLeader.getIndex(), viaFollower.getIndex()),
        followerEvents.stream().map(WatchEvent::getIndex).toList());
    for (String id : running.keySet()) {
      if (!id.equals(leader.memberId())) {
        // Empty, or true/false if it led briefly while the cluster formed.
        assertFalse(lastHeard(id).orElse(false), id + " heard " + leadershipHeard.get(id));
      }
    }

    String oldLeader = leader.memberId();
    stop(oldLeader);
    assertEquals(Optional.of(false), lastHeard(oldLeader), "closing a leader tells its listeners");
    RaftStore newLeader = awaitSingleLeader();
    await().atMost(WAIT).until(() -> lastHeard(newLeader.memberId()).equals(Optional.of(true)));
    commit(aFollower(), "s3", "db");
    awaitEveryoneHas("db");
  }

  @Test
  void aMemberThatMissedPurgedEntriesCatchesUpFromASnapshot() throws Exception {
    startCluster();
    awaitSingleLeader();
    String lagging = aFollower().memberId();
    stop(lagging);
    RaftStore leader = awaitSingleLeader();

    // Well past several snapshots (every 20 entries) and purges, so the leader no longer has the
    // entries the stopped member needs and must send its snapshot.
    List<CompletableFuture<TransactionResult>> pending = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      pending.add(leader.submit(createService("s" + i, "svc-" + i)));
    }
    for (CompletableFuture<TransactionResult> f : pending) {
      assertTrue(f.get(10, TimeUnit.SECONDS).getOk());
    }
    RaftStore restarted = start(lagging);
    long target = leader.read(v -> v.index());
    await().atMost(WAIT).until(() -> restarted.read(v -> v.index()) >= target);
    assertEquals(80, (int) restarted.read(v -> v.services().size()));
    assertEquals(Optional.of("s42"), restarted.read(v -> v.serviceByName("svc-42").map(s -> s.getMeta().getId())));
    commit(restarted, "late", "late");
    awaitEveryoneHas("late");
  }

  @Test
  void withoutAQuorumSubmitsFailAsUnavailableUntilItReturns() throws Exception {
    startCluster();
    awaitSingleLeader();
    RaftStore survivor = running.get("m1");
    stop("m2");
    stop("m3");

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> survivor.submit(createService("s1", "web")).get(10, TimeUnit.SECONDS));
    StoreUnavailableException unavailable = assertInstanceOf(StoreUnavailableException.class, e.getCause());
    assertTrue(unavailable.getMessage().contains("store member m1"), unavailable.getMessage());
    await().atMost(WAIT).until(() -> !survivor.isLeader());

    start("m2");
    // A failed submit must not wedge the member's client: once a quorum is back, submits commit.
    // Each attempt may still fail while connections come back, hence retrying until one succeeds.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> survivor.submit(createService("s2", "api")).get(10, TimeUnit.SECONDS).getOk());
    awaitEveryoneHas("api");
  }
}
