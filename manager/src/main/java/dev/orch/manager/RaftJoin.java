package dev.orch.manager;

import dev.orch.agent.tls.TlsContexts;
import dev.orch.manager.security.CertificateFiles;
import dev.orch.proto.JoinRaftRequest;
import dev.orch.proto.NodeCAGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A manager that joined asks the cluster, through the manager it joined with, to add its Raft
 * server to the group; it retries until the leader has done so.
 */
final class RaftJoin {
  private static final Logger LOG = LoggerFactory.getLogger(RaftJoin.class);

  private RaftJoin() {}

  /**
   * Starts joining; {@code refused} is set when the cluster answers that this node is not a
   * manager (it was demoted again before it joined, or the answering manager lags): the node
   * should then not wait for the cluster state, so that its agent learns the role wanted.
   */
  static void start(NodeIdentity id, CertificateFiles.Credentials creds, List<AutoCloseable> resources,
      java.util.concurrent.atomic.AtomicBoolean refused, java.nio.file.Path dataDir) {
    Thread t = new Thread(() -> run(id, creds, refused, dataDir), "raft-join");
    t.setDaemon(true);
    t.start();
    resources.add(t::interrupt);
  }

  private static void run(NodeIdentity id, CertificateFiles.Credentials creds,
      java.util.concurrent.atomic.AtomicBoolean refused, java.nio.file.Path dataDir) {
    ManagedChannel ch = NettyChannelBuilder.forTarget(id.managerAddress())
        .sslContext(creds.client()).overrideAuthority(TlsContexts.MANAGER_AUTHORITY).build();
    try {
      long backoff = 100;
      while (!Thread.currentThread().isInterrupted()) {
        try {
          var r = NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
              .joinRaft(JoinRaftRequest.newBuilder().setRaftAddr(id.advertiseHost() + ":" + id.raftPort()).build());
          dev.orch.manager.security.DataKey key = dev.orch.manager.security.DataKey.of(r.getDataKey().toByteArray());
          try {
            key.save(dataDir);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("saving the data key failed", e);
          }
          dev.orch.manager.control.SecretSealing.install(key);
          LOG.info("joined the managers' Raft group: {}", r.getMembersList());
          return;
        } catch (RuntimeException e) {
          if (io.grpc.Status.fromThrowable(e).getCode() == io.grpc.Status.Code.PERMISSION_DENIED) {
            refused.set(true);
          }
          LOG.info("joining the Raft group through {} failed, retrying: {}", id.managerAddress(), e.toString());
        }
        Thread.sleep(backoff); // retry backoff while the leader is unreachable
        backoff = Math.min(5_000, backoff * 2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ch.shutdownNow();
    }
  }
}
