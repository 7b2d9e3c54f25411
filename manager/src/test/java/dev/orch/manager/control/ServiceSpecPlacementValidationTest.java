package dev.orch.manager.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Placement;
import dev.orch.proto.PlacementPreference;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** Placement and mode checks at the API edge: refused before anything is stored. */
class ServiceSpecPlacementValidationTest {
  private static ServiceSpec.Builder spec() {
    return ServiceSpec.newBuilder().setName("web").setReplicas(1)
        .setContainer(ContainerSpec.newBuilder().setImage("busybox:latest"));
  }

  private static StatusRuntimeException refused(ServiceSpec s) {
    return assertThrows(StatusRuntimeException.class, () -> ServiceSpecValidator.validate(s));
  }

  @Test
  void acceptsValidPlacement() {
    ServiceSpecValidator.validate(spec().setPlacement(Placement.newBuilder()
        .addConstraints("node.labels.zone==eu").addConstraints("node.role!=manager")
        .addPreferences(PlacementPreference.newBuilder().setSpread("node.labels.rack"))
        .setMaxReplicasPerNode(2)).build());
  }

  @Test
  void refusesAnUnknownConstraintKeyWithTheKnownOnes() {
    StatusRuntimeException e = refused(spec().setPlacement(Placement.newBuilder()
        .addConstraints("node.zone==eu")).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("invalid constraint \"node.zone==eu\": unknown node attribute \"node.zone\": use node.id,"
        + " node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.KEY or"
        + " engine.labels.KEY", e.getStatus().getDescription());
  }

  @Test
  void refusesAConstraintWithoutOperator() {
    StatusRuntimeException e = refused(spec().setPlacement(Placement.newBuilder()
        .addConstraints("node.labels.zone=eu")).build());
    assertEquals("invalid constraint \"node.labels.zone=eu\": no operator; use KEY==VALUE or KEY!=VALUE,"
        + " e.g. node.labels.zone==eu", e.getStatus().getDescription());
  }

  @Test
  void refusesABadSpreadDescriptor() {
    StatusRuntimeException e = refused(spec().setPlacement(Placement.newBuilder()
        .addPreferences(PlacementPreference.newBuilder().setSpread("zone"))).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @Test
  void acceptsGlobalModeWithoutReplicas() {
    ServiceSpecValidator.validate(spec().setReplicas(0).setMode(ServiceMode.MODE_GLOBAL).build());
  }

  @Test
  void refusesReplicasWithGlobalMode() {
    StatusRuntimeException e = refused(spec().setMode(ServiceMode.MODE_GLOBAL).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("--replicas cannot be used with --mode global: it runs one task on every eligible node",
        e.getStatus().getDescription());
  }
}
