package dev.orch.store.raft;

import static dev.orch.store.raft.TestStores.createService;
import static dev.orch.store.raft.TestStores.updateService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.store.state.ObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader proposes concurrent transactions together; each still stands alone. */
class BatchedProposalsTest {
  @TempDir Path dir;

  private static Transaction stamped(Transaction tx) {
    return tx.toBuilder().setProposedAtMs(1).build();
  }

  @Test
  void entriesCarryOneTransactionOrAFramedBatch() throws Exception {
    Transaction a = stamped(createService("s1", "web"));
    Transaction b = stamped(createService("s2", "api"));
    ByteString single = Proposals.single(a);
    ByteString batch = Proposals.batch(List.of(a, b));
    assertFalse(Proposals.isBatch(single));
    assertTrue(Proposals.isBatch(batch));
    assertEquals(List.of(a), Proposals.transactions(single));
    assertEquals(List.of(a, b), Proposals.transactions(batch));
    List<TransactionResult> results = List.of(TransactionResult.newBuilder().setOk(true).setIndex(7).build(),
        TransactionResult.newBuilder().setOk(false).setError("no").build());
    assertEquals(results, Proposals.results(Proposals.results(results)));
  }

  @Test
  void transactionsOfOneEntryShareItsIndexAndStandAlone() {
    ObjectStore store = new ObjectStore();
    List<ObjectStore.Applied> applied = store.applyAll(List.of(
        stamped(createService("s1", "web")),
        stamped(createService("s2", "web")),           // the name was taken by the first
        stamped(updateService("s1", "web-2", 0)),      // read before the entry: stale
        stamped(createService("s3", "db"))), 5);
    assertEquals(List.of(true, false, false, true), applied.stream().map(a -> a.result().getOk()).toList());
    assertTrue(applied.stream().allMatch(a -> a.result().getIndex() == 5));
    assertEquals(5, store.service("s3").orElseThrow().getMeta().getVersion());
    assertEquals(2, store.services().size());
  }

  @Test
  void concurrentSubmitsOnTheLeaderAreBatchedAndAllAnswered() throws Exception {
    RaftStoreConfig config = RaftStoreConfig.singleMember(dir, "batch-test", "m1", TestStores.freeAddress());
    try (RaftStore store = RaftStore.start(config)) {
      org.awaitility.Awaitility.await().until(store::isLeader);
      List<CompletableFuture<TransactionResult>> pending = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        pending.add(store.submit(createService("s" + i, "svc-" + i)));
      }
      pending.add(store.submit(createService("dup", "svc-0")));
      Set<Long> indexes = new HashSet<>();
      for (int i = 0; i < 300; i++) {
        TransactionResult result = pending.get(i).get(10, TimeUnit.SECONDS);
        assertTrue(result.getOk(), result.getError());
        indexes.add(result.getIndex());
      }
      TransactionResult duplicate = pending.get(300).get(10, TimeUnit.SECONDS);
      assertFalse(duplicate.getOk());
      assertTrue(duplicate.getError().contains("svc-0"), duplicate.getError());
      assertTrue(indexes.size() < 300, "300 submits in " + indexes.size() + " entries");
      assertEquals(300, (int) store.read(v -> v.services().size()));
    }
  }
}
