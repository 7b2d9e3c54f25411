package dev.orch.manager.orchestrator;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import java.time.Clock;
import java.util.List;

/**
 * Moves new tasks to PENDING once what they need is allocated. Tasks of this release need no
 * network resources yet (addresses and VIPs come with overlay networks), so allocation is the
 * state step alone; it is kept as its own controller so that the lifecycle is the final one.
 */
public final class TaskAllocator implements WorkQueue.Reconciler<String> {
  public static final String ALL = "all";

  private final StoreWriter writer;
  private final Clock clock;

  public TaskAllocator(StoreWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  @Override
  public void reconcile(String ignored) {
    List<Task> fresh =
        writer.store().read(v -> v.unassignedTasks().stream()
            .filter(t -> t.getStatus().getState() == TaskState.NEW && TaskStates.wanted(t))
            .toList());
    if (fresh.isEmpty()) {
      return;
    }
    long now = clock.millis();
    List<StoreAction> actions =
        fresh.stream()
            .map(t -> Actions.update(t.toBuilder()
                .setStatus(TaskStatus.newBuilder()
                    .setState(TaskState.PENDING)
                    .setTimestampMs(now)
                    .setMessage("pending task scheduling"))
                .build()))
            .toList();
    TransactionBatches.commit(writer, actions, "allocation");
  }
}
