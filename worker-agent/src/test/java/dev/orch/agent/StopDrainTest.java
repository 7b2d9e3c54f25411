package dev.orch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orch.proto.NetworkAttachment;
import dev.orch.proto.Task;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StopDrainTest {
  private static final Duration DELAY = Duration.ofMillis(1500);

  @Test
  void aTaskOnNetworksDrainsForTheNodesDelay() {
    Task t = Task.newBuilder().addNetworks(NetworkAttachment.newBuilder().setNetworkId("n1").setAddr("10.0.0.3/24"))
        .build();
    assertEquals(DELAY, StopDrain.before(t, DELAY));
  }

  @Test
  void aTaskOnNoNetworkIsInNoLoadBalancingViewAndStopsAtOnce() {
    assertEquals(Duration.ZERO, StopDrain.before(Task.getDefaultInstance(), DELAY));
  }

  @Test
  void aZeroDelayTurnsTheDrainOff() {
    Task t = Task.newBuilder().addNetworks(NetworkAttachment.newBuilder().setNetworkId("n1")).build();
    assertEquals(Duration.ZERO, StopDrain.before(t, Duration.ZERO));
  }
}
