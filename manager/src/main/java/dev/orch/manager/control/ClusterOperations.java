package dev.orch.manager.control;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.ca.JoinToken;
import dev.orch.proto.Cluster;
import dev.orch.proto.JoinTokens;
import dev.orch.proto.JoinTokensResponse;
import dev.orch.proto.RootCA;
import io.grpc.Status;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/** Cluster-wide settings and join tokens. The CA key never leaves through here. */
final class ClusterOperations {
  static final long MIN_HEARTBEAT_MS = 100;
  static final long MAX_HEARTBEAT_MS = 60_000;
  /** Finished tasks are kept in the replicated store; a bound keeps a typo from filling it. */
  static final long MAX_TASK_HISTORY = 1_000;

  private final StoreWriter writer;
  private final ControlCommits commits;
  private final Random random;
  private final Supplier<List<String>> managers;

  ClusterOperations(StoreWriter writer, ControlCommits commits, Random random, Supplier<List<String>> managers) {
    this.writer = writer;
    this.commits = commits;
    this.random = random;
    this.managers = managers;
  }

  private Cluster cluster() {
    return writer.store().readLinearizable(v -> v.cluster()).orElseThrow(() ->
        Status.UNAVAILABLE.withDescription("the cluster is still starting; retry in a moment").asRuntimeException());
  }

  /** The cluster as clients may see it: without the CA's private key. */
  Cluster get() {
    Cluster c = cluster();
    return c.toBuilder().setRootCa(RootCA.newBuilder()
        .setCertPem(c.getRootCa().getCertPem()).setDigest(c.getRootCa().getDigest())).build();
  }

  JoinTokensResponse joinTokens(boolean rotateWorker, boolean rotateManager) {
    Cluster c = cluster();
    if (rotateWorker || rotateManager) {
      JoinTokens.Builder t = c.getJoinTokens().toBuilder();
      String digest = c.getRootCa().getDigest();
      if (rotateWorker) {
        t.setWorker(new JoinToken(1, digest, JoinToken.newSecret(random)).toString());
      }
      if (rotateManager) {
        t.setManager(new JoinToken(1, digest, JoinToken.newSecret(random)).toString());
      }
      c = commits.commit(List.of(Actions.update(c.toBuilder().setJoinTokens(t).build()))).getObjects(0).getCluster();
    }
    return JoinTokensResponse.newBuilder()
        .setWorker(c.getJoinTokens().getWorker())
        .setManager(c.getJoinTokens().getManager())
        .addAllManagers(managers.get())
        .build();
  }

  /** @param taskHistoryLimit finished tasks kept per slot; -1 = unchanged */
  Cluster update(long version, long heartbeatMs, long taskHistoryLimit) {
    Cluster c = cluster();
    if (version != 0 && version != c.getMeta().getVersion()) {
      throw Status.ABORTED.withDescription("the cluster settings changed since they were read; retry").asRuntimeException();
    }
    Cluster.Builder b = c.toBuilder();
    if (heartbeatMs != 0) {
      if (heartbeatMs < MIN_HEARTBEAT_MS || heartbeatMs > MAX_HEARTBEAT_MS) {
        throw ServiceSpecValidator.invalid("invalid dispatcher heartbeat " + heartbeatMs + " ms: use 100ms to 60s");
      }
      b.setDispatcherHeartbeatMs(heartbeatMs);
    }
    if (taskHistoryLimit >= 0) {
      if (taskHistoryLimit > MAX_TASK_HISTORY) {
        throw ServiceSpecValidator.invalid("invalid task history limit " + taskHistoryLimit + ": use 0 to "
            + MAX_TASK_HISTORY);
      }
      b.setTaskHistoryLimit(taskHistoryLimit);
    }
    commits.commit(List.of(Actions.update(b.build())));
    return get();
  }
}
