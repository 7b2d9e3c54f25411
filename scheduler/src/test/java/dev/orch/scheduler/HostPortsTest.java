package dev.orch.scheduler;

import static dev.orch.scheduler.Fixtures.node;
import static dev.orch.scheduler.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.orch.proto.PortConfig;
import dev.orch.proto.PortProtocol;
import dev.orch.proto.PublishMode;
import dev.orch.proto.Task;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Host-mode published ports: two tasks never bind one port of one node. */
class HostPortsTest {
  private static PortConfig hostPort(int published, PortProtocol protocol) {
    return PortConfig.newBuilder().setPublished(published).setTarget(80).setProtocol(protocol)
        .setMode(PublishMode.PUBLISH_HOST).build();
  }

  private static Task publishing(String id, String service, PortConfig... ports) {
    Task.Builder b = task(id, service);
    b.getSpecBuilder().addAllPorts(List.of(ports));
    return b.build();
  }

  @Test
  void tasksPublishingOneHostPortGoToDifferentNodes() {
    PortConfig p = hostPort(8080, PortProtocol.PROTO_TCP);
    List<Task> pending = IntStream.range(0, 3).mapToObj(i -> publishing("t" + i, "web", p)).toList();
    var decisions = new Scheduler(new Random(1)).schedule(
        List.of(node("a").build(), node("b").build(), node("c").build()), List.of(), pending);
    assertEquals(3, decisions.stream().map(PlacementDecision::nodeId).distinct().count());
  }

  @Test
  void aFourthTaskHasNoNodeAndIsExplained() {
    PortConfig p = hostPort(8080, PortProtocol.PROTO_TCP);
    Task running = publishing("r", "other", p).toBuilder().setNodeId("a").build();
    List<Task> pending = IntStream.range(0, 2).mapToObj(i -> publishing("t" + i, "web", p)).toList();
    var decisions = new Scheduler(new Random(1)).schedule(
        List.of(node("a").build(), node("b").build()), List.of(running), pending);
    assertEquals("b", decisions.get(0).nodeId());
    assertNull(decisions.get(1).nodeId());
    assertEquals("no suitable node (2 nodes already publish host port 8080/tcp)", decisions.get(1).explanation());
  }

  @Test
  void otherProtocolsAndIngressPortsDoNotConflict() {
    Task running = publishing("r", "other", hostPort(53, PortProtocol.PROTO_UDP)).toBuilder().setNodeId("a").build();
    PortConfig ingress = PortConfig.newBuilder().setPublished(8080).setTarget(80).build();
    List<Task> pending = List.of(publishing("t0", "dns", hostPort(53, PortProtocol.PROTO_TCP)),
        publishing("t1", "web", ingress), publishing("t2", "web", ingress));
    var decisions = new Scheduler(new Random(1)).schedule(List.of(node("a").build()), List.of(running), pending);
    decisions.forEach(d -> assertEquals("a", d.nodeId()));
    assertNotEquals(null, decisions.get(0).nodeId());
  }
}
