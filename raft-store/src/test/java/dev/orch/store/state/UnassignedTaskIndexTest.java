package dev.orch.store.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.ActionType;
import dev.orch.proto.Transaction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The index of tasks without a node follows creates, placements, deletes, refusals and snapshots. */
class UnassignedTaskIndexTest {
  private final ObjectStore store = new ObjectStore();
  private long index;

  private void apply(ActionType type, String id, String node, long version) {
    store.apply(Transaction.newBuilder().setProposedAtMs(1).addActions(ObjectStoreTest.action(type,
        ObjectStoreTest.task(id, "svc", node, version))).build(), ++index);
  }

  private List<String> unassigned(ObjectStore s) {
    return s.unassignedTasks().stream().map(t -> t.getMeta().getId()).toList();
  }

  @Test
  void followsTheTasksLifecycle() throws IOException {
    apply(ActionType.CREATE, "b", "", 0);
    apply(ActionType.CREATE, "a", "", 0);
    apply(ActionType.CREATE, "c", "n1", 0);
    assertEquals(List.of("a", "b"), unassigned(store));

    apply(ActionType.UPDATE, "a", "n1", store.task("a").orElseThrow().getMeta().getVersion());
    assertEquals(List.of("b"), unassigned(store));

    apply(ActionType.UPDATE, "b", "n2", 999); // stale: refused, the index stays as it was
    assertEquals(List.of("b"), unassigned(store));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.writeSnapshot(out, 1);
    ObjectStore loaded = ObjectStore.readSnapshot(new ByteArrayInputStream(out.toByteArray())).store();
    assertEquals(List.of("b"), unassigned(loaded));

    apply(ActionType.DELETE, "b", "", 0);
    assertTrue(store.unassignedTasks().isEmpty());
  }

  @Test
  void aTaskUpdatedInPlaceIsTheOneTheIndexesReturn() {
    apply(ActionType.CREATE, "a", "n1", 0);
    long v = store.task("a").orElseThrow().getMeta().getVersion();
    apply(ActionType.UPDATE, "a", "n1", v);
    long now = store.task("a").orElseThrow().getMeta().getVersion();
    assertEquals(now, store.tasksByNode("n1").get(0).getMeta().getVersion());
    assertEquals(now, store.tasksByService("svc").get(0).getMeta().getVersion());
    apply(ActionType.UPDATE, "a", "n2", now);
    assertTrue(store.tasksByNode("n1").isEmpty());
    assertEquals(List.of("a"), store.tasksByNode("n2").stream().map(t -> t.getMeta().getId()).toList());
  }
}
