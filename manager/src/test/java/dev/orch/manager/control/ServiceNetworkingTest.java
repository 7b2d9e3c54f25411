package dev.orch.manager.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.manager.Actions;
import dev.orch.proto.EndpointMode;
import dev.orch.proto.EndpointSpec;
import dev.orch.proto.Endpoint;
import dev.orch.proto.Meta;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAllocation;
import dev.orch.proto.NetworkAttachmentConfig;
import dev.orch.proto.NetworkMode;
import dev.orch.proto.NetworkSpec;
import dev.orch.proto.PortConfig;
import dev.orch.proto.PublishMode;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Transaction;
import dev.orch.store.state.ObjectStore;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The networking part of service and network specs at the API edge: what is resolved, what is refused and how. */
class ServiceNetworkingTest {
  private final ObjectStore store = new ObjectStore();
  private long index;

  ServiceNetworkingTest() {
    apply(Actions.create(network("ing", "ingress", true, "10.0.0.0/24")),
        Actions.create(network("n1", "front", false, "10.0.1.0/24")));
    apply(Actions.create(Service.newBuilder().setMeta(Meta.newBuilder().setId("s1"))
        .setSpec(ServiceSpec.newBuilder().setName("old"))
        .setEndpoint(Endpoint.newBuilder().addPorts(PortConfig.newBuilder().setPublished(8080).setTarget(80)))
        .build()));
  }

  private void apply(dev.orch.proto.StoreAction... actions) {
    var r = store.apply(Transaction.newBuilder().addAllActions(List.of(actions)).setProposedAtMs(1).build(), ++index);
    assertEquals("", r.result().getError());
  }

  private static Network network(String id, String name, boolean ingress, String subnet) {
    return Network.newBuilder().setMeta(Meta.newBuilder().setId(id))
        .setSpec(NetworkSpec.newBuilder().setName(name).setDriver("overlay").setIngress(ingress))
        .setAllocated(NetworkAllocation.newBuilder().setSubnet(subnet)).build();
  }

  private String refusal(ServiceSpec.Builder spec) {
    return assertThrows(StatusRuntimeException.class,
        () -> ServiceNetworking.resolve(store, spec.setName("web").build(), "")).getStatus().getDescription();
  }

  private static PortConfig port(int published, int target, PublishMode mode) {
    return PortConfig.newBuilder().setPublished(published).setTarget(target).setMode(mode).build();
  }

  @Test
  void networkNamesAreStoredAsIds() {
    ServiceSpec spec = ServiceNetworking.resolve(store, ServiceSpec.newBuilder().setName("web")
        .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("front").addAliases("api")).build(), "");
    assertEquals("n1", spec.getNetworks(0).getTarget());
    assertEquals(List.of("api"), spec.getNetworks(0).getAliasesList());
  }

  @Test
  void refusesWhatCannotWork() {
    assertEquals("network \"nope\" not found; see orchctl network ls, or create it: orchctl network create nope",
        refusal(ServiceSpec.newBuilder().addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("nope"))));
    assertEquals("network ingress is the routing mesh: services join it by publishing ports"
        + " (-p published=8080,target=80), not with --network",
        refusal(ServiceSpec.newBuilder().addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("ingress"))));
    assertEquals("network front is listed twice; list it once", refusal(ServiceSpec.newBuilder()
        .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("front"))
        .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("n1"))));
    assertEquals("--network host cannot be combined with other networks: a task is either on the node's network,"
        + " on none, or on cluster networks", refusal(ServiceSpec.newBuilder().setNetworkMode(NetworkMode.NETWORK_MODE_HOST)
        .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("front"))));
    assertEquals("ports cannot be published with --network none: the container has no network",
        refusal(ServiceSpec.newBuilder().setNetworkMode(NetworkMode.NETWORK_MODE_NONE)
            .setEndpoint(EndpointSpec.newBuilder().addPorts(port(80, 80, PublishMode.PUBLISH_INGRESS)))));
    assertEquals("port 8080/tcp is already published by service old; choose another published port",
        refusal(ServiceSpec.newBuilder().setEndpoint(EndpointSpec.newBuilder()
            .addPorts(port(8080, 80, PublishMode.PUBLISH_HOST)))));
    assertEquals("port 80/tcp is published in ingress mode, which needs --endpoint-mode vip; use mode=host with dnsrr",
        refusal(ServiceSpec.newBuilder().setEndpoint(EndpointSpec.newBuilder().setMode(EndpointMode.ENDPOINT_DNSRR)
            .addPorts(port(80, 80, PublishMode.PUBLISH_INGRESS)))));
    assertEquals("host-mode port for target 80 needs a published port: -p published=8080,target=80,mode=host",
        refusal(ServiceSpec.newBuilder().setEndpoint(EndpointSpec.newBuilder()
            .addPorts(port(0, 80, PublishMode.PUBLISH_HOST)))));
    assertEquals("port 81/tcp is published twice; publish it once",
        refusal(ServiceSpec.newBuilder().setEndpoint(EndpointSpec.newBuilder()
            .addPorts(port(81, 80, PublishMode.PUBLISH_INGRESS)).addPorts(port(81, 90, PublishMode.PUBLISH_INGRESS)))));
  }

  @Test
  void aServiceKeepsItsOwnPortsOnUpdate() {
    ServiceNetworking.resolve(store, ServiceSpec.newBuilder().setName("old")
        .setEndpoint(EndpointSpec.newBuilder().addPorts(port(8080, 81, PublishMode.PUBLISH_INGRESS))).build(), "s1");
  }

  @Test
  void networkSpecsAreChecked() {
    assertEquals("overlay", NetworkOperations.validate(NetworkSpec.newBuilder().setName("n").build()).getDriver());
    assertEquals("invalid --subnet: '10.0.0.0' is not a subnet; write it as ADDRESS/PREFIX, e.g. 10.0.0.0/24",
        networkRefusal(NetworkSpec.newBuilder().setName("n").setSubnet("10.0.0.0")));
    assertEquals("invalid --gateway 10.9.0.1: not a host address of 10.8.0.0/24; choose an address inside the subnet",
        networkRefusal(NetworkSpec.newBuilder().setName("n").setSubnet("10.8.0.0/24").setGateway("10.9.0.1")));
    assertEquals("--gateway needs --subnet: give the subnet the gateway is in",
        networkRefusal(NetworkSpec.newBuilder().setName("n").setGateway("10.9.0.1")));
    assertEquals("unknown network driver \"macvlan\": use overlay (across nodes) or bridge (one node)",
        networkRefusal(NetworkSpec.newBuilder().setName("n").setDriver("macvlan")));
  }

  private static String networkRefusal(NetworkSpec.Builder spec) {
    return assertThrows(StatusRuntimeException.class, () -> NetworkOperations.validate(spec.build()))
        .getStatus().getDescription();
  }
}
