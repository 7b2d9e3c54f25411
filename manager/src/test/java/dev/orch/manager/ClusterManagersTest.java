package dev.orch.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.orchestrator.InMemoryStore;
import dev.orch.manager.orchestrator.TestTasks;
import dev.orch.proto.ActionType;
import dev.orch.proto.ManagerStatus;
import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The manager list follows the store's nodes through its watch. */
class ClusterManagersTest {
  private final InMemoryStore store = new InMemoryStore();
  private final StoreWriter writer = new StoreWriter(store, TestTasks.CLOCK, new SimpleMeterRegistry());
  private final NodeIdentity self = new NodeIdentity("m1", "c1", "10.0.0.1", 4242, 4243);

  private static Node manager(String id, String addr) {
    return TestTasks.ready(id).toBuilder()
        .setSpec(TestTasks.ready(id).getSpec().toBuilder().setRole(NodeRole.MANAGER))
        .setManagerStatus(ManagerStatus.newBuilder().setAddr(addr)).build();
  }

  private void write(Node n) {
    assertTrue(writer.submit(List.of(Actions.upsert(n))).getOk());
  }

  @Test
  void theListStartsFromTheStoreAndFollowsPromotionsDemotionsAndRemovals() throws Exception {
    write(manager("m2", "10.0.0.2:4242"));
    write(TestTasks.ready("w1"));
    try (ClusterManagers managers = new ClusterManagers(store, () -> Optional.of("m2"), self)) {
      assertEquals(List.of("10.0.0.1:4242", "10.0.0.2:4242"), managers.addresses(), "from the store at start");
      assertEquals(Optional.of("10.0.0.2:4242"), managers.leaderAddress());

      Node w1 = store.read(v -> v.node("w1")).orElseThrow();
      write(manager("w1", "10.0.0.3:4242").toBuilder().setMeta(w1.getMeta()).build());
      assertEquals(List.of("10.0.0.1:4242", "10.0.0.2:4242", "10.0.0.3:4242"), managers.addresses(), "promoted");

      Node m2 = store.read(v -> v.node("m2")).orElseThrow();
      write(m2.toBuilder().setSpec(m2.getSpec().toBuilder().setRole(NodeRole.WORKER)).build());
      assertEquals(List.of("10.0.0.1:4242", "10.0.0.3:4242"), managers.addresses(), "demoted");

      Node w1Now = store.read(v -> v.node("w1")).orElseThrow();
      assertTrue(writer.submit(List.of(StoreAction.newBuilder().setType(ActionType.DELETE)
          .setObject(StoredObject.newBuilder().setNode(w1Now)).build())).getOk());
      assertEquals(List.of("10.0.0.1:4242"), managers.addresses(), "removed");
    }
  }
}
