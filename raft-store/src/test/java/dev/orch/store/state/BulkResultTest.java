package dev.orch.store.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.ActionType;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import org.junit.jupiter.api.Test;

/** A bulk write's result says only whether it committed; the write itself is the same. */
class BulkResultTest {
  @Test
  void omitObjectsLeavesTheResultEmptyButWritesEverything() {
    ObjectStore store = new ObjectStore();
    Transaction.Builder tx = Transaction.newBuilder().setProposedAtMs(1);
    tx.addActions(ObjectStoreTest.action(ActionType.CREATE, ObjectStoreTest.task("a", "svc", "", 0)));
    tx.addActions(ObjectStoreTest.action(ActionType.CREATE, ObjectStoreTest.task("b", "svc", "", 0)));
    TransactionResult full = store.apply(tx.build(), 1).result();
    assertEquals(2, full.getObjectsCount());

    Transaction bulk = tx.clearActions().setOmitObjects(true)
        .addActions(ObjectStoreTest.action(ActionType.CREATE, ObjectStoreTest.task("c", "svc", "", 0))).build();
    ObjectStore.Applied applied = store.apply(bulk, 2);
    assertTrue(applied.result().getOk());
    assertEquals(0, applied.result().getObjectsCount());
    assertEquals(1, applied.events().size());
    assertEquals(2, store.task("c").orElseThrow().getMeta().getVersion());
  }
}
