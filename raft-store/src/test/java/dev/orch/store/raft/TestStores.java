package dev.orch.store.raft;

import dev.orch.proto.ActionType;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Transaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

/** Shared fixtures for the Raft store tests. */
final class TestStores {
  /** Small snapshots and segments so that compaction happens within a few dozen transactions. */
  static final RaftStoreConfig.Tuning COMPACTING = RaftStoreConfig.Tuning.DEFAULTS
      .withSnapshotEveryEntries(20)
      .withLogSegmentBytes(4096)
      .withSubmitTimeout(Duration.ofSeconds(3));

  private TestStores() {}

  /** A loopback address on a port that was free a moment ago. */
  static InetSocketAddress freeAddress() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Transaction createService(String id, String name) {
    return Transaction.newBuilder()
        .addActions(StoreAction.newBuilder().setType(ActionType.CREATE).setObject(service(id, name, 0)))
        .build();
  }

  static Transaction updateService(String id, String name, long version) {
    return Transaction.newBuilder()
        .addActions(StoreAction.newBuilder().setType(ActionType.UPDATE).setObject(service(id, name, version)))
        .build();
  }

  static StoredObject service(String id, String name, long version) {
    return StoredObject.newBuilder().setService(Service.newBuilder()
        .setMeta(Meta.newBuilder().setId(id).setVersion(version))
        .setSpec(ServiceSpec.newBuilder().setName(name).setReplicas(1))).build();
  }
}
