package dev.orch.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.ActionType;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large transactions and full batches: a log entry over Ratis' size limit is refused only once it
 * is in the log, and Ratis then makes the leader step down; a single-member manager lost its
 * leadership that way under load. Entries must stay under the limit, and a transaction too large
 * for any entry must be refused up front, with the leader left in place.
 */
class EntrySizeLimitTest {
  @TempDir Path dir;

  /** A service whose label carries {@code bytes} bytes, to make a transaction of a chosen size. */
  private static Transaction bigService(String id, int bytes) {
    return Transaction.newBuilder().addActions(StoreAction.newBuilder().setType(ActionType.CREATE)
        .setObject(StoredObject.newBuilder().setService(Service.newBuilder()
            .setMeta(Meta.newBuilder().setId(id))
            .setSpec(ServiceSpec.newBuilder().setName(id).setReplicas(1).putLabels("payload", "x".repeat(bytes))))))
        .build();
  }

  @Test
  void fullBatchesAndLargeTransactionsCommitWithoutLosingLeadership() throws Exception {
    RaftStoreConfig config = RaftStoreConfig.singleMember(dir, "size-test", "m1", TestStores.freeAddress());
    try (RaftStore store = RaftStore.start(config)) {
      Awaitility.await().until(store::isLeader);
      List<Boolean> leadership = new CopyOnWriteArrayList<>();
      store.addLeadershipListener(leadership::add);
      Awaitility.await().until(() -> leadership.contains(true));
      List<CompletableFuture<TransactionResult>> pending = new ArrayList<>();
      // One transaction larger than Ratis' default entry limit of 4 MiB, and then many of ~40 KB
      // submitted at once, which fill batched entries up to their byte budget.
      pending.add(store.submit(bigService("large", (4 << 20) + 1000)));
      for (int i = 0; i < 300; i++) {
        pending.add(store.submit(bigService("s" + i, 40_000 + i)));
      }
      for (CompletableFuture<TransactionResult> f : pending) {
        TransactionResult r = f.get(30, TimeUnit.SECONDS);
        assertTrue(r.getOk(), r.getError());
      }
      assertEquals(301, (int) store.read(v -> v.services().size()));
      assertEquals(List.of(true), leadership, "leadership changes while committing");
      assertTrue(store.isLeader());
    }
  }

  @Test
  void aTransactionTooLargeForAnyEntryIsRefusedBeforeTheLog() throws Exception {
    RaftStoreConfig config = RaftStoreConfig.singleMember(dir, "size-test", "m1", TestStores.freeAddress());
    try (RaftStore store = RaftStore.start(config)) {
      Awaitility.await().until(store::isLeader);
      long before = store.read(v -> v.index());
      TransactionResult r = store.submit(bigService("huge", RaftSettings.MAX_TRANSACTION_BYTES)).get(30, TimeUnit.SECONDS);
      assertFalse(r.getOk());
      assertTrue(r.getError().contains("exceeds the store's limit"), r.getError());
      assertTrue(store.isLeader());
      assertEquals(before, (long) store.read(v -> v.index()), "nothing was written to the log");
      assertTrue(store.submit(bigService("after", 10)).get(30, TimeUnit.SECONDS).getOk());
    }
  }
}
