package dev.orch.manager.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.security.DataKey;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.CreateDataRequest;
import dev.orch.proto.DataSpec;
import dev.orch.proto.DeployStackRequest;
import dev.orch.proto.FileReference;
import dev.orch.proto.Image;
import dev.orch.proto.Meta;
import dev.orch.proto.Secret;
import dev.orch.proto.ServiceSpec;
import dev.orch.store.raft.RaftStore;
import dev.orch.store.raft.RaftStoreConfig;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret's plaintext reaches no file of a manager's store: the Raft log, its metadata and a
 * backup hold the sealed form only; the manager opens it for the node that needs it.
 */
class SecretsAtRestTest {
  private static final String PLAINTEXT = "pl41ntext-that-must-not-be-stored";
  private static final String STACK_PLAINTEXT = "stack-pl41ntext-also-sealed";

  @TempDir Path dir;

  @Test
  void secretsAreSealedInTheRaftLogAndBackups() throws Exception {
    DataKey key = DataKey.generate();
    SecretSealing.install(key);
    Path data = dir.resolve("manager");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (RaftStore store = RaftStore.start(RaftStoreConfig.singleMember(data, "c1", "m1",
        new InetSocketAddress("127.0.0.1", port)))) {
      await().atMost(Duration.ofSeconds(20)).until(store::isLeader);
      ControlService control = new ControlService(new StoreWriter(store, Clock.systemUTC(), new SimpleMeterRegistry()),
          new Ids(new Random(1)), new Random(2), null, "node", List::of);
      Image busybox = Image.newBuilder().setMeta(Meta.newBuilder().setId("sha256:aa")).addReferences("busybox:latest")
          .build();
      store.submit(dev.orch.proto.Transaction.newBuilder().addActions(dev.orch.manager.Actions.upsert(busybox))
          .setProposedAtMs(1).build()).get(20, TimeUnit.SECONDS);
      control.createSecret(CreateDataRequest.newBuilder().setSpec(DataSpec.newBuilder().setName("db_pw")
          .setData(ByteString.copyFromUtf8(PLAINTEXT))).build(), observer());
      DeployStackRequest stack = DeployStackRequest.newBuilder().setName("app")
          .addServices(ServiceSpec.newBuilder().setName("app_db").setReplicas(1).setContainer(ContainerSpec
              .newBuilder().setImage("busybox").addSecrets(FileReference.newBuilder().setName("app_key"))))
          .addSecrets(DataSpec.newBuilder().setName("app_key").setData(ByteString.copyFromUtf8(STACK_PLAINTEXT)))
          .build();
      control.deployStack(stack, observer());
      control.deployStack(stack, observer()); // unchanged: the sealed data compares equal to the file's

      Secret stored = store.read(v -> v.secrets().stream().filter(s -> s.getSpec().getName().equals("db_pw"))
          .findFirst().orElseThrow());
      assertTrue(DataKey.sealed(stored.getSpec().getData()), "stored sealed");
      assertEquals(PLAINTEXT, SecretSealing.opened(stored).getSpec().getData().toStringUtf8(),
          "opened for the node that runs a task using it");
      try (OutputStream out = Files.newOutputStream(dir.resolve("backup.bin"))) {
        store.backup(out);
      }
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    List<String> leaking = new ArrayList<>();
    boolean nameFound = false;
    for (Path f : files) {
      String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      if (content.contains(PLAINTEXT) || content.contains(STACK_PLAINTEXT)) {
        leaking.add(dir.relativize(f).toString());
      }
      nameFound |= content.contains("db_pw");
    }
    assertTrue(nameFound, "positive control: the secret's name is in the log, so the search reads the files");
    assertEquals(List.of(), leaking, "files holding a secret's plaintext");

    Secret other = Secret.newBuilder().setMeta(Meta.newBuilder().setId("x")).setSpec(DataSpec.newBuilder()
        .setData(key.seal(ByteString.copyFromUtf8("a"), "x"))).build();
    SecretSealing.install(DataKey.generate());
    var e = assertThrows(IllegalStateException.class, () -> SecretSealing.opened(other));
    assertTrue(e.getMessage().contains("sealed with another data key"), e.getMessage());
    SecretSealing.install(key);
  }

  private static <T> StreamObserver<T> observer() {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        throw new AssertionError(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
