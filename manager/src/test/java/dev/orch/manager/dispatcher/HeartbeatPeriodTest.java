package dev.orch.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.InMemoryStore;
import dev.orch.manager.orchestrator.TestTasks;
import dev.orch.proto.ActionType;
import dev.orch.proto.Cluster;
import dev.orch.proto.Meta;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The heartbeat period follows the cluster object through the store's watch. */
class HeartbeatPeriodTest {
  private final InMemoryStore store = new InMemoryStore();
  private final StoreWriter writer = new StoreWriter(store, TestTasks.CLOCK, new SimpleMeterRegistry());

  private void write(ActionType type, Cluster c) {
    assertTrue(writer.submit(List.of(StoreAction.newBuilder().setType(type)
        .setObject(StoredObject.newBuilder().setCluster(c)).build())).getOk());
  }

  private Cluster stored() {
    return store.read(v -> v.cluster()).orElseThrow();
  }

  @Test
  void startsFromTheStoreThenFollowsUpdatesAndFallsBackToTheDefault() throws Exception {
    write(ActionType.CREATE, Cluster.newBuilder().setMeta(Meta.newBuilder().setId("c")).setDispatcherHeartbeatMs(2000)
        .build());
    try (HeartbeatPeriod period = new HeartbeatPeriod(store, 5000)) {
      assertEquals(2000, period.getAsLong(), "from the store at start");

      write(ActionType.UPDATE, stored().toBuilder().setDispatcherHeartbeatMs(700).build());
      assertEquals(700, period.getAsLong(), "an update applies at once");

      write(ActionType.UPDATE, stored().toBuilder().setDispatcherHeartbeatMs(0).build());
      assertEquals(5000, period.getAsLong(), "unset: the default");
    }
  }

  @Test
  void withoutAClusterObjectTheDefault() throws Exception {
    try (HeartbeatPeriod period = new HeartbeatPeriod(store, 1000)) {
      assertEquals(1000, period.getAsLong());
      write(ActionType.CREATE, Cluster.newBuilder().setMeta(Meta.newBuilder().setId("c")).setDispatcherHeartbeatMs(300)
          .build());
      assertEquals(300, period.getAsLong(), "the cluster object written later");
    }
  }
}
