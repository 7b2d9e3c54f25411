package dev.orch.manager.orchestrator;

import dev.orch.manager.Ids;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.TaskSpec;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import java.time.Clock;

/** Makes new tasks for a service slot: always a fresh task, never a reused one. */
public final class TaskFactory {
  private final Ids ids;
  private final Clock clock;

  public TaskFactory(Ids ids, Clock clock) {
    this.ids = ids;
    this.clock = clock;
  }

  public Task newTask(Service service, long slot) {
    return Task.newBuilder()
        .setMeta(Meta.newBuilder().setId(ids.next()))
        .setServiceId(service.getMeta().getId())
        .setServiceName(service.getSpec().getName())
        .setSlot(slot)
        .setSpec(TaskSpecs.of(service))
        .setDesiredState(TaskState.RUNNING)
        .setStatus(
            TaskStatus.newBuilder()
                .setState(TaskState.NEW)
                .setTimestampMs(clock.millis())
                .setMessage("created"))
        .build();
  }

  /**
   * A task of a global service for {@code nodeId}. It goes through the scheduler like any other
   * (so reservations are checked and a misfit is explained), held to its node by a constraint.
   */
  public Task newTask(Service service, String nodeId) {
    Task t = newTask(service, 0);
    TaskSpec spec = t.getSpec();
    return t.toBuilder()
        .setGlobalNodeId(nodeId)
        .setSpec(spec.toBuilder().setPlacement(spec.getPlacement().toBuilder()
            .addConstraints("node.id==" + nodeId)))
        .build();
  }
}
