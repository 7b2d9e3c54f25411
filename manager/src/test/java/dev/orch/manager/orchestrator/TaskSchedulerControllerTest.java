package dev.orch.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.Placement;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskSpec;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import dev.orch.proto.Transaction;
import dev.orch.scheduler.Scheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One scheduling pass against the store's real state machine, without Raft. */
class TaskSchedulerControllerTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final InMemoryStore store = new InMemoryStore();
  private final StoreWriter writer = new StoreWriter(store, clock, new SimpleMeterRegistry());
  private final TaskSchedulerController controller =
      new TaskSchedulerController(writer, new Scheduler(new Random(1)), clock);

  private void write(StoreAction... actions) {
    assertTrue(writer.submit(List.of(actions)).getOk());
  }

  private static Node node(String id, String zone) {
    return Node.newBuilder().setMeta(Meta.newBuilder().setId(id))
        .setSpec(NodeSpec.newBuilder().setAvailability(NodeAvailability.ACTIVE).putLabels("zone", zone))
        .setStatus(NodeStatus.newBuilder().setState(NodeState.NODE_READY))
        .setDescription(NodeDescription.newBuilder().setHostname(id))
        .build();
  }

  private static Task pending(String id, long slot, Placement placement) {
    return Task.newBuilder().setMeta(Meta.newBuilder().setId(id)).setServiceId("svc").setServiceName("web")
        .setSlot(slot).setDesiredState(TaskState.RUNNING)
        .setSpec(TaskSpec.newBuilder().setPlacement(placement))
        .setStatus(TaskStatus.newBuilder().setState(TaskState.PENDING))
        .build();
  }

  private Task read(String id) {
    return store.read(v -> v.task(id).orElseThrow());
  }

  @Test
  void assignsPendingTasksInOneTransaction() {
    write(Actions.upsert(node("n1", "eu")), Actions.upsert(node("n2", "us")));
    write(Actions.create(pending("t1", 1, Placement.getDefaultInstance())),
        Actions.create(pending("t2", 2, Placement.getDefaultInstance())));
    int before = store.transactions().size();
    controller.reconcile(TaskSchedulerController.ALL);
    assertEquals(before + 1, store.transactions().size());
    Task t1 = read("t1");
    Task t2 = read("t2");
    assertEquals(TaskState.ASSIGNED, t1.getStatus().getState());
    assertEquals(TaskState.ASSIGNED, t2.getStatus().getState());
    assertTrue(!t1.getNodeId().equals(t2.getNodeId()), "spread over both nodes");
    assertEquals("", t1.getStatus().getErr());
  }

  @Test
  void anUnplaceableTaskKeepsPendingWithTheReasonAndIsPlacedWhenANodeFits() {
    Placement eu = Placement.newBuilder().addConstraints("node.labels.zone==eu").build();
    write(Actions.upsert(node("n1", "us")), Actions.create(pending("t1", 1, eu)));
    controller.reconcile(TaskSchedulerController.ALL);
    Task t = read("t1");
    assertEquals(TaskState.PENDING, t.getStatus().getState());
    assertEquals("no suitable node (1 node does not match node.labels.zone==eu)", t.getStatus().getErr());

    int before = store.transactions().size();
    controller.reconcile(TaskSchedulerController.ALL);
    assertEquals(before, store.transactions().size(), "an unchanged explanation is not rewritten");

    write(Actions.upsert(node("n2", "eu")));
    controller.reconcile(TaskSchedulerController.ALL);
    t = read("t1");
    assertEquals(TaskState.ASSIGNED, t.getStatus().getState());
    assertEquals("n2", t.getNodeId());
    assertEquals("", t.getStatus().getErr());
  }

  @Test
  void aTaskChangedSinceTheReadFailsThePassSoItIsRetried() {
    write(Actions.upsert(node("n1", "eu")), Actions.create(pending("t1", 1, Placement.getDefaultInstance())));
    store.beforeNextSubmit(() -> write(Actions.update(
        read("t1").toBuilder().setDesiredState(TaskState.SHUTDOWN).build())));
    TaskSchedulerController c = controller;
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.reconcile(TaskSchedulerController.ALL));
    assertTrue(e.getMessage().contains("version conflict"), e.getMessage());
    assertEquals(TaskState.PENDING, read("t1").getStatus().getState());
  }

  @Test
  void aLargePassIsWrittenInBoundedTransactions() {
    write(Actions.upsert(node("n1", "eu")), Actions.upsert(node("n2", "eu")));
    int n = TransactionBatches.MAX_ACTIONS * 2 + 10;
    List<StoreAction> creates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      creates.add(Actions.create(pending("t" + i, i + 1, Placement.getDefaultInstance())));
    }
    assertTrue(writer.submit(creates).getOk());
    int before = store.transactions().size();
    controller.reconcile(TaskSchedulerController.ALL);
    List<Transaction> written = store.transactions().subList(before, store.transactions().size());
    assertEquals(3, written.size());
    assertTrue(written.stream().allMatch(tx -> tx.getActionsCount() <= TransactionBatches.MAX_ACTIONS));
    long assigned = store.read(v -> v.tasks().stream()
        .filter(t -> t.getStatus().getState() == TaskState.ASSIGNED).count());
    assertEquals(n, assigned);
    assertEquals(n / 2, store.read(v -> v.tasksByNode("n1").size()), 1);
  }
}
