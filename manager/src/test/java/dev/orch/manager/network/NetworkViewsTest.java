package dev.orch.manager.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.InMemoryStore;
import dev.orch.manager.orchestrator.TestTasks;
import dev.orch.proto.EndpointSpec;
import dev.orch.proto.Meta;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAllocation;
import dev.orch.proto.NetworkAttachment;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkEndpoint;
import dev.orch.proto.NetworkSpec;
import dev.orch.proto.Node;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PublishMode;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The views kept from the store's events: what they hold, who needs them, what each change marks
 * dirty, and that they always equal the views loaded from the store afresh.
 */
class NetworkViewsTest {
  private final InMemoryStore store = new InMemoryStore();
  private final StoreWriter writer = new StoreWriter(store, TestTasks.CLOCK, new SimpleMeterRegistry());
  private final NetworkViews views = new NetworkViews();
  private final Set<String> marked = new HashSet<>();

  @BeforeEach
  void feedFromTheWatch() {
    store.watch(events -> events.forEach(e -> marked.addAll(views.apply(e).networkIds())));
  }

  private void write(StoreAction... actions) {
    assertTrue(writer.submit(List.of(actions)).getOk());
  }

  private static Network network(String id, boolean ingress, String subnet) {
    return Network.newBuilder().setMeta(Meta.newBuilder().setId(id))
        .setSpec(NetworkSpec.newBuilder().setName(id).setDriver("overlay").setIngress(ingress))
        .setAllocated(NetworkAllocation.newBuilder().setSubnet(subnet).setVni(4096)).build();
  }

  private Node node(String id, String addr, String ingressAddr) {
    Node n = TestTasks.ready(id);
    return n.toBuilder().setStatus(n.getStatus().toBuilder().setAddr(addr)).setIngressAddr(ingressAddr).build();
  }

  private void joins(String id, String addr, String ingressAddr) {
    write(Actions.upsert(store.read(v -> v.node(id)).map(n -> n.toBuilder()
        .setStatus(n.getStatus().toBuilder().setAddr(addr)).setIngressAddr(ingressAddr).build())
        .orElse(node(id, addr, ingressAddr))));
  }

  private Service service(String id, EndpointSpec endpoint, String... networks) {
    ServiceSpec.Builder spec = ServiceSpec.newBuilder().setName(id).setReplicas(1).setEndpoint(endpoint);
    for (String n : networks) {
      spec.addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(n));
    }
    Service s = TestTasks.service(spec).toBuilder().setMeta(Meta.newBuilder().setId(id)).build();
    write(Actions.create(s));
    return s;
  }

  private Task runs(Service s, String taskId, String nodeId, String network, String addr) {
    Task t = TestTasks.task(s, taskId, 1, TaskState.RUNNING, TaskState.RUNNING, 0).toBuilder()
        .setMeta(Meta.newBuilder().setId(taskId)).setNodeId(nodeId)
        .addNetworks(NetworkAttachment.newBuilder().setNetworkId(network).setAddr(addr).setMac("02:42:0a:00:01:05"))
        .build();
    write(Actions.create(t));
    return store.read(v -> v.task(taskId)).orElseThrow();
  }

  private NetworkViews.View view(String id) {
    return views.of(List.of(id)).get(id);
  }

  /** The same views as an index loaded from the store afresh (a new leader's dispatcher). */
  private void assertSameAsLoaded(String... ids) {
    NetworkViews loaded = new NetworkViews();
    store.read(v -> {
      loaded.load(v);
      return null;
    });
    for (String id : ids) {
      assertEquals(loaded.of(List.of(id)), views.of(List.of(id)), "view of " + id);
    }
  }

  @Test
  void noNodeNeedsIngressUntilAServicePublishesAndThenEveryNodeDoes() {
    write(Actions.create(network("ing", true, "10.0.0.0/16")));
    marked.clear();
    joins("n1", "192.168.1.1", "10.0.0.2/16");
    joins("n2", "192.168.1.2", "10.0.0.3/16");
    assertEquals(Set.of("ing"), marked, "a node's own ingress address is an endpoint of ingress");
    assertEquals(Set.of(), views.nodesNeeding("ing"));
    assertEquals(Set.of(), views.networksOf("n1"));

    marked.clear();
    write(Actions.upsert(store.read(v -> v.node("n1")).orElseThrow().toBuilder()
        .setSpec(TestTasks.ready("n1", "zone", "z1").getSpec()).build()));
    assertEquals(Set.of(), marked, "a label changes no view");

    service("web", EndpointSpec.newBuilder().addPorts(PortConfig.newBuilder().setTarget(80).setPublished(8080)
        .setMode(PublishMode.PUBLISH_INGRESS)).build());
    assertTrue(marked.contains("ing"));
    assertEquals(Set.of("n1", "n2"), views.nodesNeeding("ing"));
    assertEquals(Set.of("ing"), views.networksOf("n2"));
    NetworkViews.View ingress = view("ing");
    assertEquals(List.of("10.0.0.2/16", "10.0.0.3/16"),
        ingress.state().getEndpointsList().stream().map(NetworkEndpoint::getAddr).toList());
    assertEquals("192.168.1.2", ingress.state().getEndpoints(1).getNodeAddr());
    assertEquals(List.of("web"), ingress.state().getServicesList().stream().map(b -> b.getName()).toList());

    marked.clear();
    joins("n3", "192.168.1.3", "10.0.0.4/16");
    assertEquals(Set.of("ing"), marked);
    assertEquals(Set.of("n1", "n2", "n3"), views.nodesNeeding("ing"));
    assertSameAsLoaded("ing");
  }

  @Test
  void taskEndpointsComeAndGoWithTheirTasksAndFollowTheirNode() {
    write(Actions.create(network("net", false, "10.0.1.0/24")));
    joins("n1", "192.168.1.1", "");
    joins("n2", "192.168.1.2", "");
    Service db = service("db", EndpointSpec.getDefaultInstance(), "net");
    marked.clear();
    Task t1 = runs(db, "t1", "n1", "net", "10.0.1.5/24");
    runs(db, "t2", "n2", "net", "10.0.1.6/24");
    assertEquals(Set.of("net"), marked);
    assertEquals(Set.of("n1", "n2"), views.nodesNeeding("net"));
    assertEquals(Set.of("net"), views.networksOf("n1"));
    NetworkEndpoint e1 = view("net").state().getEndpoints(0);
    assertEquals("t1", e1.getTaskId());
    assertEquals("192.168.1.1", e1.getNodeAddr());
    assertTrue(e1.getRunning());
    assertEquals("db.1.t1", e1.getTaskName());

    marked.clear();
    joins("n1", "192.168.7.7", "");
    assertEquals(Set.of("net"), marked, "its peers must follow the node that moved");
    assertEquals("192.168.7.7", view("net").state().getEndpoints(0).getNodeAddr());

    marked.clear();
    write(Actions.update(t1.toBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.FAILED)).build()));
    assertEquals(Set.of("net"), marked);
    assertEquals(List.of("t2"), view("net").state().getEndpointsList().stream().map(NetworkEndpoint::getTaskId).toList());
    assertEquals(Set.of("n2"), views.nodesNeeding("net"));
    assertEquals(Set.of(), views.networksOf("n1"));
    assertSameAsLoaded("net");

    write(Actions.delete(store.read(v -> v.task("t2")).orElseThrow()),
        Actions.delete(store.read(v -> v.task("t1")).orElseThrow()),
        Actions.delete(store.read(v -> v.service("db")).orElseThrow()),
        Actions.delete(store.read(v -> v.network("net")).orElseThrow()));
    Map<String, NetworkViews.View> gone = views.of(List.of("net"));
    assertNull(gone.get("net").state());
    assertEquals(Set.of(), views.nodesNeeding("net"));
    assertSameAsLoaded("net");
  }

  @Test
  void changesOfTasksWithoutNetworksMarkNothing() {
    write(Actions.create(network("ing", true, "10.0.0.0/16")));
    joins("n1", "192.168.1.1", "10.0.0.2/16");
    Service plain = service("plain", EndpointSpec.getDefaultInstance());
    marked.clear();
    Task t = TestTasks.task(plain, "t1", 1, TaskState.ASSIGNED, TaskState.RUNNING, 0).toBuilder()
        .setMeta(Meta.newBuilder().setId("t1")).build();
    write(Actions.create(t));
    assertEquals(Set.of(), marked);
  }
}
