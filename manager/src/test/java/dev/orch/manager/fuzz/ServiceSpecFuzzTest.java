package dev.orch.manager.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.orch.manager.control.ServiceSpecValidator;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Placement;
import dev.orch.proto.PlacementPreference;
import dev.orch.proto.Resources;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Control API validation of service specs: any spec a client can encode is either accepted or
 * refused with INVALID_ARGUMENT and a message; any other exception would reach the client as an
 * internal error (or worse, pass a bad spec on to the store). The spec is built field by field from
 * the input, mostly plausible values with arbitrary ones mixed in, so that the fuzzer gets past the
 * first checks; the rest of the input is merged in as raw protobuf for the fields not built here.
 */
class ServiceSpecFuzzTest {
  @FuzzTest(maxDuration = "15s")
  void validate(FuzzedDataProvider data) {
    ServiceSpec.Builder spec = ServiceSpec.newBuilder()
        .setName(pick(data, "web", 70))
        .setReplicas(data.consumeBoolean() ? data.consumeLong(0, 200_000) : data.consumeLong())
        .setModeValue(data.consumeInt(-1, 5));
    ContainerSpec.Builder c = spec.getContainerBuilder().setImage(pick(data, "busybox:latest", 120));
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      c.addEnv(pick(data, "K=V", 40));
    }
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      c.addCommand(data.consumeString(20));
    }
    if (data.consumeBoolean()) {
      c.setHostname(data.consumeString(70)).setWorkdir(data.consumeString(20));
    }
    for (int i = data.consumeInt(0, 2); i > 0; i--) {
      spec.putLabels(data.consumeString(30), data.consumeString(30));
    }
    spec.setLimits(resources(data)).setReservations(resources(data));
    Placement.Builder p = spec.getPlacementBuilder();
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      p.addConstraints(pick(data, "node.labels.zone==a", 40));
    }
    for (int i = data.consumeInt(0, 2); i > 0; i--) {
      p.addPreferences(PlacementPreference.newBuilder().setSpread(pick(data, "node.labels.zone", 30)));
    }
    p.setMaxReplicasPerNode(data.consumeLong()).setStrategyValue(data.consumeInt(-1, 3));
    spec.setUpdate(update(data)).setRollback(update(data));
    RestartPolicy.Builder r = spec.getRestartBuilder().setConditionValue(data.consumeInt(-1, 4))
        .setMaxAttempts(data.consumeLong()).setWindowMs(data.consumeLong());
    if (data.consumeBoolean()) {
      r.setDelayMs(data.consumeLong());
    }
    spec.setMaxConcurrent(data.consumeLong());
    try {
      spec.mergeFrom(data.consumeRemainingAsBytes());
    } catch (InvalidProtocolBufferException notAMessage) {
      // the built part alone is still a spec to check
    }
    try {
      ServiceSpecValidator.validate(spec.build());
    } catch (StatusRuntimeException refused) {
      assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused.toString());
      String message = refused.getStatus().getDescription();
      assertTrue(message != null && !message.isBlank(), "a refusal must say why");
    }
  }

  private static String pick(FuzzedDataProvider data, String plausible, int maxLength) {
    return data.consumeBoolean() ? plausible : data.consumeString(maxLength);
  }

  private static Resources resources(FuzzedDataProvider data) {
    return data.consumeBoolean() ? Resources.getDefaultInstance() : Resources.newBuilder()
        .setMemoryBytes(data.consumeLong()).setNanoCpus(data.consumeLong()).setPids(data.consumeLong()).build();
  }

  private static UpdateConfig update(FuzzedDataProvider data) {
    if (data.consumeBoolean()) {
      return UpdateConfig.getDefaultInstance();
    }
    UpdateConfig.Builder u = UpdateConfig.newBuilder().setDelayMs(data.consumeLong())
        .setFailureActionValue(data.consumeInt(-1, 4)).setMaxFailureRatio(data.consumeFloat())
        .setOrderValue(data.consumeInt(-1, 3));
    if (data.consumeBoolean()) {
      u.setParallelism(data.consumeLong());
    }
    if (data.consumeBoolean()) {
      u.setMonitorMs(data.consumeLong());
    }
    return u.build();
  }
}
