package dev.orch.manager.orchestrator;

import dev.orch.manager.Ids;
import dev.orch.proto.ActionType;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

/** Fixed state for the decide steps of the lifecycle controllers: services, tasks, nodes. */
public final class TestTasks {
  public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private TestTasks() {}

  public static TaskFactory factory() {
    return new TaskFactory(new Ids(new Random(7)), CLOCK);
  }

  /** A stored service with lifecycle defaults filled in, as the Control API stores it. */
  public static Service service(ServiceSpec.Builder spec) {
    ServiceSpec s = spec.setName(spec.getName().isEmpty() ? "web" : spec.getName())
        .setContainer(spec.getContainer().getImage().isEmpty()
            ? ContainerSpec.newBuilder().setImage("busybox").addCommand("sleep").addCommand("1d").build()
            : spec.getContainer())
        .build();
    return Service.newBuilder()
        .setMeta(Meta.newBuilder().setId("svc").setVersion(3))
        .setSpec(ServiceDefaults.withDefaults(s))
        .setImageDigest("sha256:abc")
        .build();
  }

  public static Service replicated(long replicas) {
    return service(ServiceSpec.newBuilder().setReplicas(replicas));
  }

  /** A task of {@code service}'s current spec in {@code slot}; assigned states are on node n1. */
  public static Task task(Service service, String id, long slot, TaskState state, TaskState desired, long createdAt) {
    return Task.newBuilder()
        .setMeta(Meta.newBuilder().setId(id).setVersion(5).setCreatedAtMs(createdAt).setUpdatedAtMs(createdAt))
        .setServiceId(service.getMeta().getId()).setServiceName(service.getSpec().getName()).setSlot(slot)
        .setNodeId(state.getNumber() >= TaskState.ASSIGNED_VALUE ? "n1" : "")
        .setSpec(TaskSpecs.of(service))
        .setDesiredState(desired)
        .setStatus(TaskStatus.newBuilder().setState(state).setTimestampMs(createdAt))
        .build();
  }

  /** A task that ended ({@code state}) at {@code endedAt} while still wanted. */
  public static Task ended(Service service, String id, long slot, TaskState state, long endedAt) {
    Task t = task(service, id, slot, state, TaskState.RUNNING, endedAt - 1_000);
    return t.toBuilder().setMeta(t.getMeta().toBuilder().setUpdatedAtMs(endedAt))
        .setStatus(t.getStatus().toBuilder().setTimestampMs(endedAt).setErr("task: non-zero exit (1)"))
        .build();
  }

  public static Node node(String id, NodeState state, NodeAvailability availability, String... labels) {
    NodeSpec.Builder spec = NodeSpec.newBuilder().setAvailability(availability);
    for (int i = 0; i + 1 < labels.length; i += 2) {
      spec.putLabels(labels[i], labels[i + 1]);
    }
    return Node.newBuilder().setMeta(Meta.newBuilder().setId(id).setVersion(2))
        .setSpec(spec)
        .setStatus(NodeStatus.newBuilder().setState(state))
        .setDescription(NodeDescription.newBuilder().setHostname(id))
        .build();
  }

  public static Node ready(String id, String... labels) {
    return node(id, NodeState.NODE_READY, NodeAvailability.ACTIVE, labels);
  }

  public static List<StoreAction> of(List<StoreAction> all, ActionType type) {
    return all.stream().filter(a -> a.getType() == type).toList();
  }

  public static List<Task> tasks(List<StoreAction> all, ActionType type) {
    return of(all, type).stream().map(a -> a.getObject().getTask()).toList();
  }
}
