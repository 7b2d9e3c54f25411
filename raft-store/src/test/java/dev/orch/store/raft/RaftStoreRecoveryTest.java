package dev.orch.store.raft;

import static dev.orch.store.raft.TestCluster.WAIT;
import static dev.orch.store.raft.TestCluster.commit;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.StoredObject;
import dev.orch.proto.TransactionResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup and restore, and recovering a lone survivor as a new one-member cluster. */
class RaftStoreRecoveryTest {
  @TempDir Path dir;
  private TestCluster cluster;

  @BeforeEach
  void createCluster() {
    cluster = new TestCluster(dir, "recovery-test", TestStores.COMPACTING);
  }

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  /** Enough writes to pass a snapshot and a log purge (every 20 entries), and updates to version objects. */
  private static void writeSome(RaftStore via, String prefix, int count) throws Exception {
    List<CompletableFuture<TransactionResult>> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pending.add(via.submit(TestStores.createService(prefix + i, prefix + "-svc-" + i)));
    }
    for (CompletableFuture<TransactionResult> f : pending) {
      assertTrue(f.get(10, TimeUnit.SECONDS).getOk());
    }
    long version = via.read(v -> v.service(prefix + "0").orElseThrow().getMeta().getVersion());
    assertTrue(via.submit(TestStores.updateService(prefix + "0", prefix + "-renamed", version)).get(10, TimeUnit.SECONDS)
        .getOk());
  }

  private static List<StoredObject> objects(RaftStore store) {
    return store.read(v -> {
      List<StoredObject> all = new ArrayList<>();
      v.services().forEach(s -> all.add(StoredObject.newBuilder().setService(s).build()));
      return all;
    });
  }

  @Test
  void aBackupRestoresIntoANewDirectoryWithTheSameHashAndObjects() throws Exception {
    cluster.bootstrap("m1", "m2", "m3");
    RaftStore leader = cluster.awaitLeader();
    writeSome(leader, "a", 30);
    ByteArrayOutputStream backup = new ByteArrayOutputStream();
    leader.backup(backup);
    byte[] bytes = backup.toByteArray();
    String hash = leader.stateHash();
    List<StoredObject> before = objects(leader);
    assertEquals(hash, RaftStore.stateHash(new ByteArrayInputStream(bytes)));
    RaftStore follower = cluster.aFollower();
    await().atMost(WAIT).until(() -> follower.stateHash().equals(hash));

    Path restoredDir = dir.resolve("restored");
    RaftStoreConfig.Peer peer = cluster.peer("r1");
    RaftStore.restore(restoredDir, new ByteArrayInputStream(bytes), "restored-cluster", "r1", peer.address());
    IOException again = assertThrows(IOException.class, () -> RaftStore.restore(restoredDir,
        new ByteArrayInputStream(bytes), "restored-cluster", "r1", peer.address()));
    assertTrue(again.getMessage().contains("already holds a store"), again.getMessage());

    RaftStore restored = cluster.start(RaftStoreConfig.singleMember(restoredDir, "restored-cluster", "r1",
        peer.address()).withTuning(TestStores.COMPACTING));
    await().atMost(WAIT).until(restored::isLeader);
    assertEquals(hash, restored.stateHash());
    assertEquals(before, objects(restored));
    assertEquals(List.of(peer), restored.members());
    // The restored cluster carries on: its log continues after the backup's index.
    TransactionResult next = commit(restored, "after", "after-restore");
    assertTrue(next.getIndex() > before.stream().mapToLong(o -> o.getService().getMeta().getVersion()).max()
        .orElseThrow());
  }

  @Test
  void forceNewClusterTurnsALoneSurvivorIntoAOneMemberClusterWithAllItsState() throws Exception {
    cluster.bootstrap("m1", "m2", "m3");
    RaftStore leader = cluster.awaitLeader();
    writeSome(leader, "a", 30);
    RaftStore survivor = cluster.aFollower();
    // The survivor must hold every acknowledged write before the others go for good.
    String hash = leader.stateHash();
    await().atMost(WAIT).until(() -> survivor.stateHash().equals(hash));
    List<StoredObject> before = objects(survivor);
    String id = survivor.memberId();
    // The other two are gone for good; the survivor is stopped for the recovery.
    cluster.stop("m1", "m2", "m3");

    RaftStore.forceNewCluster(cluster.dir(id), cluster.clusterId(), id, cluster.peer(id).address());
    try (Stream<Path> kept = Files.list(cluster.dir(id))) {
      assertTrue(kept.anyMatch(p -> p.getFileName().toString().startsWith("raft-before-force-new-cluster-")));
    }
    // Restarted with the config it always had: the recorded one-member group wins.
    List<RaftStoreConfig.Peer> oldPeers = List.of(cluster.peer("m1"), cluster.peer("m2"), cluster.peer("m3"));
    RaftStore alone = cluster.start(new RaftStoreConfig(cluster.dir(id), cluster.clusterId(), id,
        cluster.peer(id).address(), oldPeers, TestStores.COMPACTING));
    await().atMost(WAIT).until(alone::isLeader);
    assertEquals(List.of(cluster.peer(id)), alone.members());
    assertEquals(hash, alone.stateHash());
    assertEquals(before, objects(alone));
    commit(alone, "after", "after-force");
    assertTrue(alone.readLinearizable(v -> v.serviceByName("after-force")).isPresent());
  }

  @Test
  void forceNewClusterReplaysTheLogAfterTheLastSnapshot() throws Exception {
    TestCluster single = new TestCluster(dir.resolve("single"), "replay-test", RaftStoreConfig.Tuning.DEFAULTS);
    try (single) {
      RaftStore m1 = single.bootstrap("m1").get(0);
      single.awaitLeader();
      writeSome(m1, "b", 25);
      String hash = m1.stateHash();
      List<StoredObject> before = objects(m1);
      single.stop("m1");
      // As after a crash: no snapshot was taken, so everything is in the log alone.
      try (Stream<Path> files = Files.walk(single.dir("m1"))) {
        for (Path snapshot : files.filter(p -> p.getParent().getFileName().toString().equals("sm")).toList()) {
          Files.delete(snapshot);
        }
      }
      RaftStore.forceNewCluster(single.dir("m1"), "replay-test", "m1", single.peer("m1").address());
      RaftStore recovered = single.restart("m1");
      await().atMost(WAIT).until(recovered::isLeader);
      assertEquals(hash, recovered.stateHash());
      assertEquals(before, objects(recovered));
    }
  }
}
