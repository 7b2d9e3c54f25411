package dev.orch.scheduler;

import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.NodeStatus;
import dev.orch.proto.Placement;
import dev.orch.proto.PlacementPreference;
import dev.orch.proto.Resources;
import dev.orch.proto.Task;
import dev.orch.proto.TaskSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders for the nodes and tasks the scheduler tests use. */
final class Fixtures {
  static final long GIB = 1L << 30;
  static final long MIB = 1L << 20;
  static final long CPU = 1_000_000_000L;

  private Fixtures() {}

  /** A ready, active worker with 4 GiB and 4 CPUs. */
  static Node.Builder node(String id) {
    return Node.newBuilder()
        .setMeta(Meta.newBuilder().setId(id))
        .setSpec(NodeSpec.newBuilder().setRole(NodeRole.WORKER).setAvailability(NodeAvailability.ACTIVE))
        .setStatus(NodeStatus.newBuilder().setState(NodeState.NODE_READY))
        .setDescription(NodeDescription.newBuilder().setHostname("host-" + id).setOs("linux").setArch("amd64")
            .setResources(Resources.newBuilder().setMemoryBytes(4 * GIB).setNanoCpus(4 * CPU)));
  }

  static Node node(String id, String... labels) {
    Node.Builder b = node(id);
    for (int i = 0; i < labels.length; i += 2) {
      b.getSpecBuilder().putLabels(labels[i], labels[i + 1]);
    }
    return b.build();
  }

  static Node nodeWith(String id, NodeState state, NodeAvailability availability, long memory) {
    Node.Builder b = node(id);
    b.getStatusBuilder().setState(state);
    b.getSpecBuilder().setAvailability(availability);
    b.getDescriptionBuilder().getResourcesBuilder().setMemoryBytes(memory);
    return b.build();
  }

  static Task.Builder task(String id, String service) {
    return Task.newBuilder().setMeta(Meta.newBuilder().setId(id)).setServiceId(service)
        .setSpec(TaskSpec.newBuilder());
  }

  static Task task(String id, String service, long memoryReservation) {
    Task.Builder b = task(id, service);
    b.getSpecBuilder().setReservations(Resources.newBuilder().setMemoryBytes(memoryReservation));
    return b.build();
  }

  /** {@code count} tasks of {@code service} named {@code service-0..}, all with {@code placement}. */
  static List<Task> tasks(String service, int count, Placement placement) {
    return java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> {
          Task.Builder b = task(service + "-" + i, service);
          b.getSpecBuilder().setPlacement(placement);
          return b.build();
        })
        .toList();
  }

  static Placement constraints(String... constraints) {
    return Placement.newBuilder().addAllConstraints(List.of(constraints)).build();
  }

  static Placement spread(String... descriptors) {
    Placement.Builder b = Placement.newBuilder();
    for (String d : descriptors) {
      b.addPreferences(PlacementPreference.newBuilder().setSpread(d));
    }
    return b.build();
  }

  /** Tasks per node id among the placed decisions. */
  static Map<String, Integer> perNode(List<PlacementDecision> decisions) {
    Map<String, Integer> out = new HashMap<>();
    decisions.stream().filter(PlacementDecision::placed).forEach(d -> out.merge(d.nodeId(), 1, Integer::sum));
    return out;
  }
}
