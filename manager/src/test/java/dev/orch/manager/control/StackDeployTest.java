package dev.orch.manager.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.orch.manager.Actions;
import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.InMemoryStore;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.CreateDataRequest;
import dev.orch.proto.DataSpec;
import dev.orch.proto.DeployStackRequest;
import dev.orch.proto.DeployStackResponse;
import dev.orch.proto.FileReference;
import dev.orch.proto.GetDataRequest;
import dev.orch.proto.Image;
import dev.orch.proto.ListDataRequest;
import dev.orch.proto.Meta;
import dev.orch.proto.RemoveDataRequest;
import dev.orch.proto.RemoveStackRequest;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stack deploys and secrets through the Control API over the store's real state machine. */
class StackDeployTest {
  private final InMemoryStore store = new InMemoryStore();
  private ControlService control;

  @BeforeEach
  void setUp() {
    SecretSealing.install(dev.orch.manager.security.DataKey.generate());
    control = new ControlService(new StoreWriter(store, Clock.systemUTC(), new SimpleMeterRegistry()),
        new Ids(new Random(1)), new Random(2), null, "node", List::of);
    Image busybox = Image.newBuilder().setMeta(Meta.newBuilder().setId("sha256:aa"))
        .addReferences("busybox:latest").addReferences("busybox:2").build();
    store.submit(dev.orch.proto.Transaction.newBuilder().addActions(Actions.upsert(busybox)).setProposedAtMs(1).build());
  }

  private static <T> T call(java.util.function.Consumer<StreamObserver<T>> rpc) {
    List<T> out = new ArrayList<>();
    rpc.accept(new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        out.add(value);
      }

      @Override
      public void onError(Throwable t) {
        throw new AssertionError(t);
      }

      @Override
      public void onCompleted() {}
    });
    return out.get(0);
  }

  private DeployStackResponse deploy(DeployStackRequest r) {
    return call(o -> control.deployStack(r, o));
  }

  private static ServiceSpec service(String name, String image, long replicas, String... secrets) {
    ContainerSpec.Builder c = ContainerSpec.newBuilder().setImage(image);
    for (String s : secrets) {
      c.addSecrets(FileReference.newBuilder().setName(s));
    }
    return ServiceSpec.newBuilder().setName(name).setReplicas(replicas).setContainer(c).build();
  }

  private static DataSpec data(String name, String text) {
    return DataSpec.newBuilder().setName(name).setData(ByteString.copyFromUtf8(text)).build();
  }

  private static DeployStackRequest stack(ServiceSpec... services) {
    return DeployStackRequest.newBuilder().setName("app").addAllServices(List.of(services))
        .addSecrets(data("app_pw", "hunter2")).build();
  }

  private static List<String> changes(DeployStackResponse r) {
    return r.getChangesList().stream().map(c -> c.getAction() + " " + c.getKind() + " " + c.getName()).toList();
  }

  private int writes() {
    return store.transactions().size();
  }

  @Test
  void deploysAtomicallyAndRedeployOfTheSameStackWritesNothing() {
    int before = writes();
    var first = deploy(stack(service("app_web", "busybox", 3), service("app_db", "busybox", 1, "app_pw")));
    assertEquals(List.of("create secret app_pw", "create service app_web", "create service app_db"), changes(first));
    assertEquals(before + 1, writes(), "one transaction for the whole stack");
    Service db = store.read(v -> v.serviceByName("app_db")).orElseThrow();
    assertEquals("app", db.getSpec().getLabelsMap().get(StackDeployer.NAMESPACE_LABEL));
    FileReference ref = db.getSpec().getContainer().getSecrets(0);
    assertEquals(store.read(v -> v.secrets().iterator().next().getMeta().getId()), ref.getId());
    assertEquals("/run/secrets/app_pw", ref.getTarget());
    assertEquals(0444, ref.getMode());

    var again = deploy(stack(service("app_web", "busybox", 3), service("app_db", "busybox", 1, "app_pw")));
    assertEquals(List.of("unchanged secret app_pw", "unchanged service app_web", "unchanged service app_db"),
        changes(again));
    assertEquals(before + 1, writes(), "an unchanged stack writes nothing");

    var changed = deploy(stack(service("app_web", "busybox:2", 5), service("app_db", "busybox", 1, "app_pw")));
    assertEquals(List.of("unchanged secret app_pw", "update service app_web", "unchanged service app_db"),
        changes(changed));
    assertEquals(5, store.read(v -> v.serviceByName("app_web")).orElseThrow().getSpec().getReplicas());
  }

  @Test
  void aBadServiceChangesNothing() {
    deploy(stack(service("app_web", "busybox", 1)));
    int before = writes();
    var image = assertThrows(StatusRuntimeException.class, () -> deploy(stack(service("app_web", "busybox", 2),
        service("app_new", "127.0.0.1:1/nosuchimage", 1))));
    assertTrue(image.getStatus().getDescription().startsWith("service app_new: cannot reach registry 127.0.0.1:1"),
        image.getMessage());
    var secret = assertThrows(StatusRuntimeException.class, () -> deploy(stack(service("app_web", "busybox", 2,
        "unknown"))));
    assertEquals("secret \"unknown\" not found; create it first: orchctl secret create unknown FILE",
        secret.getStatus().getDescription());
    var outside = assertThrows(StatusRuntimeException.class, () -> deploy(stack(service("web", "busybox", 1))));
    assertTrue(outside.getStatus().getDescription().contains("is not in stack app"));
    assertEquals(before, writes());
    assertEquals(1, store.read(v -> v.serviceByName("app_web")).orElseThrow().getSpec().getReplicas());
    assertTrue(store.read(v -> v.serviceByName("app_new")).isEmpty());
  }

  @Test
  void changedSecretDataIsRefused() {
    deploy(stack(service("app_web", "busybox", 1)));
    var r = DeployStackRequest.newBuilder().setName("app").addServices(service("app_web", "busybox", 1))
        .addSecrets(data("app_pw", "other")).build();
    var e = assertThrows(StatusRuntimeException.class, () -> deploy(r));
    assertTrue(e.getStatus().getDescription().startsWith("secret app_pw has changed"), e.getMessage());
  }

  @Test
  void pruneRemovesWhatTheFileNoLongerNamesAndDryRunWritesNothing() {
    deploy(stack(service("app_web", "busybox", 1), service("app_db", "busybox", 1, "app_pw")));
    Service db = store.read(v -> v.serviceByName("app_db")).orElseThrow();
    Task t = Task.newBuilder().setMeta(Meta.newBuilder().setId("t1")).setServiceId(db.getMeta().getId())
        .setDesiredState(TaskState.RUNNING).build();
    store.submit(dev.orch.proto.Transaction.newBuilder().addActions(Actions.create(t)).setProposedAtMs(1).build());
    var without = DeployStackRequest.newBuilder().setName("app").addServices(service("app_web", "busybox", 1));
    assertEquals(List.of("unchanged service app_web"), changes(deploy(without.build())));
    int before = writes();
    assertEquals(List.of("unchanged service app_web", "remove service app_db", "remove secret app_pw"),
        changes(deploy(without.setPrune(true).setDryRun(true).build())));
    assertEquals(before, writes());
    deploy(without.setDryRun(false).build());
    assertTrue(store.read(v -> v.serviceByName("app_db")).isEmpty());
    assertTrue(store.read(v -> v.secrets()).isEmpty());
    assertEquals(TaskState.REMOVE, store.read(v -> v.task("t1")).orElseThrow().getDesiredState());
  }

  @Test
  void secretsAreListedWithoutDataAndCannotBeRemovedWhileUsed() {
    var created = call((StreamObserver<dev.orch.proto.SecretResponse> o) -> control.createSecret(
        CreateDataRequest.newBuilder().setSpec(data("pw", "hunter2")).build(), o)).getSecret();
    assertTrue(created.getSpec().getData().isEmpty());
    assertEquals(7, created.getDataSize());
    var listed = call((StreamObserver<dev.orch.proto.ListSecretsResponse> o) -> control.listSecrets(
        ListDataRequest.getDefaultInstance(), o));
    assertTrue(listed.getSecrets(0).getSpec().getData().isEmpty());
    var got = call((StreamObserver<dev.orch.proto.SecretResponse> o) -> control.getSecret(
        GetDataRequest.newBuilder().setName("pw").build(), o));
    assertTrue(got.getSecret().getSpec().getData().isEmpty());
    var dup = assertThrows(StatusRuntimeException.class, () -> call((StreamObserver<dev.orch.proto.SecretResponse> o)
        -> control.createSecret(CreateDataRequest.newBuilder().setSpec(data("pw", "x")).build(), o)));
    assertEquals(Status.Code.ALREADY_EXISTS, dup.getStatus().getCode());
    var big = assertThrows(StatusRuntimeException.class, () -> call((StreamObserver<dev.orch.proto.SecretResponse> o)
        -> control.createSecret(CreateDataRequest.newBuilder().setSpec(data("big", "x".repeat(500 * 1024 + 1)))
            .build(), o)));
    assertTrue(big.getStatus().getDescription().contains("the limit is 512000 bytes"), big.getMessage());

    deploy(DeployStackRequest.newBuilder().setName("app").addServices(service("app_web", "busybox", 1, "pw")).build());
    var inUse = assertThrows(StatusRuntimeException.class, () -> call(
        (StreamObserver<dev.orch.proto.RemoveDataResponse> o) -> control.removeSecret(
            RemoveDataRequest.newBuilder().setName("pw").build(), o)));
    assertEquals("secret pw is in use by service app_web; remove it from that service first",
        inUse.getStatus().getDescription());
    var removed = call((StreamObserver<DeployStackResponse> o) -> control.removeStack(
        RemoveStackRequest.newBuilder().setName("app").build(), o));
    assertEquals(List.of("remove service app_web"), changes(removed));
    call((StreamObserver<dev.orch.proto.RemoveDataResponse> o) -> control.removeSecret(
        RemoveDataRequest.newBuilder().setName("pw").build(), o));
    assertTrue(store.read(v -> v.secrets()).isEmpty());
  }

  private static dev.orch.proto.NetworkSpec net(String name) {
    return dev.orch.proto.NetworkSpec.newBuilder().setName(name).setDriver("overlay").build();
  }

  private static ServiceSpec on(ServiceSpec s, String... networks) {
    ServiceSpec.Builder b = s.toBuilder();
    for (String n : networks) {
      b.addNetworks(dev.orch.proto.NetworkAttachmentConfig.newBuilder().setTarget(n));
    }
    return b.build();
  }

  @Test
  void networksAreCreatedWithTheStackKeptWhenUnchangedAndRemovedWithIt() {
    control.createNetwork(dev.orch.proto.CreateNetworkRequest.newBuilder().setSpec(net("corp")).build(),
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(dev.orch.proto.NetworkResponse value) {}

          @Override
          public void onError(Throwable t) {
            throw new AssertionError(t);
          }

          @Override
          public void onCompleted() {}
        });
    var r = DeployStackRequest.newBuilder().setName("app")
        .addServices(on(service("app_web", "busybox", 2), "app_default"))
        .addServices(on(service("app_db", "busybox", 1), "app_back", "corp"))
        .addNetworks(net("app_default")).addNetworks(net("app_back").toBuilder().setSubnet("10.77.0.0/24")).build();
    int before = writes();
    assertEquals(List.of("create network app_default", "create network app_back", "create service app_web",
        "create service app_db"), changes(deploy(r)));
    assertEquals(before + 1, writes(), "networks and services in one transaction");
    var back = store.read(v -> v.networkByName("app_back")).orElseThrow();
    assertEquals("app", back.getSpec().getLabelsMap().get(StackDeployer.NAMESPACE_LABEL));
    Service db = store.read(v -> v.serviceByName("app_db")).orElseThrow();
    assertEquals(back.getMeta().getId(), db.getSpec().getNetworks(0).getTarget());

    assertEquals(List.of("unchanged network app_default", "unchanged network app_back", "unchanged service app_web",
        "unchanged service app_db"), changes(deploy(r)));
    assertEquals(before + 1, writes(), "an unchanged stack writes nothing");

    var changed = r.toBuilder().setNetworks(1, net("app_back").toBuilder().setInternal(true)).build();
    var e = assertThrows(StatusRuntimeException.class, () -> deploy(changed));
    assertTrue(e.getStatus().getDescription().startsWith("network app_back has changed"), e.getMessage());
    var taken = r.toBuilder().setNetworks(1, net("corp")).build();
    e = assertThrows(StatusRuntimeException.class, () -> deploy(taken));
    assertTrue(e.getStatus().getDescription().contains("is not in stack app"), e.getMessage());
    assertEquals(before + 1, writes());

    var removed = call((StreamObserver<DeployStackResponse> o) -> control.removeStack(
        RemoveStackRequest.newBuilder().setName("app").build(), o));
    assertEquals(List.of("remove service app_db", "remove service app_web", "remove network app_back",
        "remove network app_default"), changes(removed));
    assertEquals(List.of("corp"), store.read(v -> v.networks().stream().map(n -> n.getSpec().getName()).toList()),
        "the network the stack did not make is left alone");
  }
}
