package dev.orch.manager.control;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.ContainerSpec;
import dev.orch.proto.ServiceSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {
  private static ServiceSpec.Builder spec() {
    return ServiceSpec.newBuilder().setName("web").setReplicas(1)
        .setContainer(ContainerSpec.newBuilder().setImage("busybox:latest"));
  }

  private static String refusal(ServiceSpec.Builder spec) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ServiceSpecValidator.validate(spec.build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    return e.getStatus().getDescription();
  }

  @Test
  void anOrdinarySpecPasses() {
    assertDoesNotThrow(() -> ServiceSpecValidator.validate(spec().putLabels("com.docker.stack.namespace", "shop")
        .setContainer(ContainerSpec.newBuilder().setImage("busybox").setHostname("web-1.shop").setWorkdir("/app")
            .addEnv("A=1").addCommand("sleep").addCommand("1d")).build()));
  }

  @Test
  void anOversizedSpecIsRefusedBeforeTheStore() {
    String big = "x".repeat(30 << 10);
    ServiceSpec.Builder s = spec();
    for (int i = 0; i < 10; i++) {
      s.getContainerBuilder().addEnv("V" + i + "=" + big);
    }
    assertTrue(refusal(s).contains("more than the " + RequestLimits.MAX_SPEC_BYTES), refusal(s));
  }

  @Test
  void tooManyOrBadLabelsAreRefused() {
    ServiceSpec.Builder many = spec();
    for (int i = 0; i <= RequestLimits.MAX_LABELS; i++) {
      many.putLabels("k" + i, "v");
    }
    assertTrue(refusal(many).contains("at most " + RequestLimits.MAX_LABELS));
    assertTrue(refusal(spec().putLabels("has space", "v")).contains("invalid label key"));
    assertTrue(refusal(spec().putLabels("k", "v".repeat(RequestLimits.MAX_LABEL_VALUE + 1))).contains("at most"));
  }

  @Test
  void hostnameWorkdirAndNulAreChecked() {
    assertTrue(refusal(spec().setContainer(ContainerSpec.newBuilder().setImage("busybox").setHostname("bad_host")))
        .contains("invalid hostname"));
    assertTrue(refusal(spec().setContainer(ContainerSpec.newBuilder().setImage("busybox").setWorkdir("app")))
        .contains("absolute path"));
    assertTrue(refusal(spec().setContainer(ContainerSpec.newBuilder().setImage("busybox").addCommand("a\0b")))
        .contains("NUL"));
  }
}
