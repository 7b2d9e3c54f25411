package dev.orch.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Meta;
import dev.orch.proto.Placement;
import dev.orch.proto.Resources;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import org.junit.jupiter.api.Test;

class TaskSpecsTest {
  private static Service service(Resources limits) {
    return Service.newBuilder().setMeta(Meta.newBuilder().setId("s"))
        .setSpec(ServiceSpec.newBuilder().setName("web").setLimits(limits)
            .setContainer(ContainerSpec.newBuilder().setImage("busybox")))
        .setImageDigest("sha256:abc").build();
  }

  @Test
  void emptyPartsAreNotStoredInTheTask() {
    var spec = TaskSpecs.of(service(Resources.getDefaultInstance()));
    assertFalse(spec.hasLimits());
    assertFalse(spec.hasReservations());
    assertFalse(spec.hasPlacement());
    assertTrue(TaskSpecs.of(service(Resources.newBuilder().setMemoryBytes(64 << 20).build())).hasLimits());
  }

  @Test
  void aTaskThatStoredEmptyPartsStillRunsTheCurrentSpec() {
    Service s = service(Resources.getDefaultInstance());
    Task older = Task.newBuilder().setSpec(TaskSpecs.of(s).toBuilder()
        .setLimits(Resources.getDefaultInstance()).setReservations(Resources.getDefaultInstance())
        .setPlacement(Placement.getDefaultInstance())).build();
    assertTrue(TaskSpecs.current(older, s));
    assertFalse(TaskSpecs.current(older, service(Resources.newBuilder().setNanoCpus(1).build())));
  }
}
