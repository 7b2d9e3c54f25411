package dev.orch.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.net.IpamException;
import dev.orch.proto.EndpointMode;
import dev.orch.proto.EndpointSpec;
import dev.orch.proto.Meta;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAttachment;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkSpec;
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
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The allocator against the store's real state machine: what networks, services and tasks get,
 * that what ended objects held goes back, and that a new leader's allocator (rebuilt from the
 * store) neither hands out what is in use nor keeps what is not.
 */
class TaskAllocatorNetworkTest {
  private final InMemoryStore store = new InMemoryStore();
  private final StoreWriter writer = new StoreWriter(store, TestTasks.CLOCK, new SimpleMeterRegistry());
  private TaskAllocator allocator = new TaskAllocator(writer, TestTasks.CLOCK);

  {
    // As the leader's controllers do: the allocator hears what changed between its passes.
    store.watch(events -> events.forEach(e -> allocator.observe(e)));
  }

  private void write(StoreAction... actions) {
    assertTrue(writer.submit(List.of(actions)).getOk());
  }

  private static Network network(String id, String name, boolean ingress) {
    return Network.newBuilder().setMeta(Meta.newBuilder().setId(id))
        .setSpec(NetworkSpec.newBuilder().setName(name).setDriver("overlay").setIngress(ingress)).build();
  }

  private Service service(String id, String name, EndpointSpec endpoint, String... networks) {
    ServiceSpec.Builder spec = ServiceSpec.newBuilder().setName(name).setReplicas(2).setEndpoint(endpoint);
    for (String n : networks) {
      spec.addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(n).addAliases(name + "-alias"));
    }
    Service s = TestTasks.service(spec).toBuilder().setMeta(Meta.newBuilder().setId(id)).build();
    write(Actions.create(s));
    return store.read(v -> v.service(id)).orElseThrow();
  }

  private Task newTask(Service s, String id, long slot) {
    Task t = TestTasks.task(s, id, slot, TaskState.NEW, TaskState.RUNNING, 0).toBuilder()
        .setMeta(Meta.newBuilder().setId(id)).build();
    write(Actions.create(t));
    return t;
  }

  private Task stored(String id) {
    return store.read(v -> v.task(id)).orElseThrow();
  }

  private void reconcile() throws Exception {
    allocator.reconcile(TaskAllocator.ALL);
  }

  private static final EndpointSpec PUBLISH_80 = EndpointSpec.newBuilder()
      .addPorts(PortConfig.newBuilder().setTarget(80).setMode(PublishMode.PUBLISH_INGRESS)).build();

  @Test
  void networksServicesAndTasksGetTheirAddresses() throws Exception {
    write(Actions.create(network("ing", "ingress", true)), Actions.create(network("net", "backend", false)));
    Service web = service("svc", "web", PUBLISH_80, "net");
    newTask(web, "t1", 1);
    newTask(web, "t2", 2);
    reconcile();

    Network ingress = store.read(v -> v.network("ing")).orElseThrow();
    Network net = store.read(v -> v.network("net")).orElseThrow();
    assertEquals("10.0.0.0/24", ingress.getAllocated().getSubnet());
    assertEquals("10.0.1.0/24", net.getAllocated().getSubnet());
    assertEquals("10.0.1.1/24", net.getAllocated().getGateway());
    assertNotEquals(ingress.getAllocated().getVni(), net.getAllocated().getVni());

    Service allocated = store.read(v -> v.service("svc")).orElseThrow();
    assertEquals(1, allocated.getEndpoint().getVipsCount(), "one VIP, on its own network");
    assertEquals("net", allocated.getEndpoint().getVips(0).getNetworkId());
    int published = allocated.getEndpoint().getPorts(0).getPublished();
    assertTrue(published >= 30000 && published <= 32767, "dynamic port " + published);

    Set<String> addresses = new HashSet<>();
    addresses.add(allocated.getEndpoint().getVips(0).getAddr());
    for (String id : List.of("t1", "t2")) {
      Task t = stored(id);
      assertEquals(TaskState.PENDING, t.getStatus().getState());
      assertEquals(List.of("net", "ing"), t.getNetworksList().stream().map(NetworkAttachment::getNetworkId).toList());
      t.getNetworksList().forEach(a -> assertTrue(addresses.add(a.getAddr()), "address given twice: " + a.getAddr()));
      assertEquals(List.of("web-alias"), t.getNetworks(0).getAliasesList());
      assertTrue(t.getNetworks(0).getMac().startsWith("02:42:0a:00:01:"), t.getNetworks(0).getMac());
    }
  }

  @Test
  void tasksWithoutNetworksAreUnchangedAndServicesStoreNoEndpoint() throws Exception {
    Service plain = service("svc", "plain", EndpointSpec.getDefaultInstance());
    newTask(plain, "t1", 1);
    reconcile();
    assertEquals(TaskState.PENDING, stored("t1").getStatus().getState());
    assertEquals(0, stored("t1").getNetworksCount());
    assertFalse(store.read(v -> v.service("svc")).orElseThrow().hasEndpoint());
  }

  @Test
  void aFullIngressSubnetLeavesSomeNodesWithoutAddressButTasksAreStillAllocated() throws Exception {
    // A /29 holds 5 node addresses after its gateway: the other 5 nodes find ingress full.
    write(StoreAction.newBuilder().setType(dev.orch.proto.ActionType.CREATE)
            .setObject(dev.orch.proto.StoredObject.newBuilder().setCluster(dev.orch.proto.Cluster.newBuilder()
                .setMeta(Meta.newBuilder().setId("c")).setDefaultAddrPool("10.0.0.0/8").setDefaultSubnetSize(29)))
            .build(),
        Actions.create(network("ing", "ingress", true)));
    for (int i = 0; i < 10; i++) {
      write(Actions.upsert(TestTasks.ready("n" + i)));
    }
    Service plain = service("svc", "plain", EndpointSpec.getDefaultInstance());
    newTask(plain, "t1", 1);

    IpamException e = assertThrows(IpamException.class, this::reconcile);
    assertTrue(e.getMessage().contains("5 nodes have no address on ingress")
        && e.getMessage().contains("--default-addr-pool-mask-length"), e.getMessage());
    assertEquals(TaskState.PENDING, stored("t1").getStatus().getState(), "a full ingress blocks no task");
    long addressed = store.read(v -> v.nodes().stream().filter(n -> !n.getIngressAddr().isEmpty()).count());
    assertEquals(5, addressed);
  }

  @Test
  void nodesThatJoinOrLeaveBetweenPassesGetOrReturnTheirIngressAddress() throws Exception {
    write(Actions.create(network("ing", "ingress", true)));
    write(Actions.upsert(TestTasks.ready("n1")));
    reconcile();
    assertEquals(1, allocator.book().addressesInUse("ing"), "n1's");

    write(Actions.upsert(TestTasks.ready("n2")));
    reconcile();
    String n2 = store.read(v -> v.node("n2")).orElseThrow().getIngressAddr();
    assertFalse(n2.isEmpty(), "a node that joined after the first pass gets its address");
    assertNotEquals(store.read(v -> v.node("n1")).orElseThrow().getIngressAddr(), n2);
    assertEquals(2, allocator.book().addressesInUse("ing"));

    write(StoreAction.newBuilder().setType(dev.orch.proto.ActionType.DELETE).setObject(
        dev.orch.proto.StoredObject.newBuilder().setNode(store.read(v -> v.node("n1")).orElseThrow())).build());
    reconcile();
    assertEquals(1, allocator.book().addressesInUse("ing"), "a removed node's address goes back");
  }

  @Test
  void dnsrrServicesHaveNoVip() throws Exception {
    write(Actions.create(network("net", "backend", false)));
    service("svc", "db", EndpointSpec.newBuilder().setMode(EndpointMode.ENDPOINT_DNSRR).build(), "net");
    reconcile();
    assertEquals(0, store.read(v -> v.service("svc")).orElseThrow().getEndpoint().getVipsCount());
  }

  @Test
  void endedTasksRemovedServicesAndNetworksGiveEverythingBack() throws Exception {
    write(Actions.create(network("ing", "ingress", true)), Actions.create(network("net", "backend", false)));
    Service web = service("svc", "web", PUBLISH_80, "net");
    newTask(web, "t1", 1);
    newTask(web, "t2", 2);
    reconcile();
    assertEquals(3, allocator.book().addressesInUse("net"), "two tasks and the VIP");
    assertEquals(1, allocator.book().portsInUse());

    Task t1 = stored("t1");
    write(Actions.update(t1.toBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.FAILED)).build()));
    reconcile();
    assertEquals(2, allocator.book().addressesInUse("net"));
    assertEquals(1, allocator.book().addressesInUse("ing"));

    write(Actions.delete(store.read(v -> v.service("svc")).orElseThrow()), Actions.delete(stored("t1")),
        Actions.delete(stored("t2")));
    reconcile();
    assertEquals(0, allocator.book().addressesInUse("net"));
    assertEquals(0, allocator.book().addressesInUse("ing"));
    assertEquals(0, allocator.book().portsInUse());

    write(Actions.delete(store.read(v -> v.network("net")).orElseThrow()));
    reconcile();
    assertEquals(1, allocator.book().networkCount(), "only ingress is left");
  }

  @Test
  void aNewLeaderRebuildsTheSameAllocationsAndGivesNothingTwice() throws Exception {
    write(Actions.create(network("ing", "ingress", true)), Actions.create(network("net", "backend", false)));
    Service web = service("svc", "web", PUBLISH_80, "net");
    newTask(web, "t1", 1);
    newTask(web, "t2", 2);
    newTask(web, "t3", 3);
    reconcile();
    Task t2 = stored("t2");
    write(Actions.update(t2.toBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.COMPLETE)).build()));
    reconcile();
    int inUse = allocator.book().addressesInUse("net");
    int ports = allocator.book().portsInUse();

    allocator = new TaskAllocator(writer, TestTasks.CLOCK); // the next leader's, empty until it reconciles
    newTask(web, "t4", 4);
    reconcile();
    assertEquals(inUse + 1, allocator.book().addressesInUse("net"));
    assertEquals(ports, allocator.book().portsInUse());
    Set<String> held = new HashSet<>();
    held.add(store.read(v -> v.service("svc")).orElseThrow().getEndpoint().getVips(0).getAddr());
    for (String id : List.of("t1", "t3", "t4")) {
      stored(id).getNetworksList().forEach(a -> assertTrue(held.add(a.getAddr()), "given twice: " + a.getAddr()));
    }
    assertEquals(2, store.read(v -> v.networks()).size());
  }
}
