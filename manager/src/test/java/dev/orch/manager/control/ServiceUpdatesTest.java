package dev.orch.manager.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.manager.orchestrator.ServiceDefaults;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateState;
import dev.orch.proto.UpdateStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** What UpdateService and a rollback do to the stored service. */
class ServiceUpdatesTest {
  private static final ServiceSpec V1 = ServiceDefaults.withDefaults(ServiceSpec.newBuilder().setName("web")
      .setReplicas(2).setContainer(ContainerSpec.newBuilder().setImage("busybox").addCommand("sleep")).build());
  private static final Service WEB = Service.newBuilder().setMeta(Meta.newBuilder().setId("s").setVersion(4))
      .setSpec(V1).setImageDigest("sha256:1").build();

  @Test
  void aChangeThatReplacesTasksKeepsThePreviousSpecAndStartsAnUpdate() {
    ServiceSpec v2 = V1.toBuilder().setContainer(V1.getContainer().toBuilder().addEnv("A=1")).build();
    Service s = ServiceUpdates.update(WEB, v2, "sha256:1", 1_000);
    assertEquals(V1, s.getPreviousSpec());
    assertEquals("sha256:1", s.getPreviousImageDigest());
    assertEquals(UpdateStatus.newBuilder().setState(UpdateState.UPDATING).setStartedAtMs(1_000)
        .setMessage("update in progress").build(), s.getUpdateStatus());
  }

  @Test
  void scalingAloneStartsNoUpdateButAnyUpdateResumesAPausedOne() {
    Service scaled = ServiceUpdates.update(WEB, V1.toBuilder().setReplicas(5).build(), "sha256:1", 1_000);
    assertFalse(scaled.hasUpdateStatus());
    Service paused = WEB.toBuilder().setUpdateStatus(UpdateStatus.newBuilder().setState(UpdateState.PAUSED)).build();
    assertEquals(UpdateState.UPDATING, ServiceUpdates.update(paused, V1, "sha256:1", 1_000).getUpdateStatus().getState());
  }

  @Test
  void aRollbackSwapsTheSpecs() {
    ServiceSpec v2 = V1.toBuilder().setForceUpdate(1).build();
    Service updated = ServiceUpdates.update(WEB, v2, "sha256:2", 1_000);
    Service rolled = ServiceUpdates.rollback(updated, 2_000);
    assertEquals(V1, rolled.getSpec());
    assertEquals("sha256:1", rolled.getImageDigest());
    assertEquals(v2, rolled.getPreviousSpec());
    assertEquals(UpdateState.ROLLBACK_STARTED, rolled.getUpdateStatus().getState());
    assertEquals("manually requested rollback", rolled.getUpdateStatus().getMessage());
  }

  @Test
  void refusesARollbackWithoutPreviousSpecAndAChangeOfMode() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ServiceUpdates.rollback(WEB, 1));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("service web has no previous spec to roll back to: it was never updated", e.getStatus().getDescription());
    assertThrows(StatusRuntimeException.class, () -> ServiceUpdates.update(WEB,
        V1.toBuilder().setMode(dev.orch.proto.ServiceMode.MODE_GLOBAL).setReplicas(0).build(), "sha256:1", 1));
  }
}
