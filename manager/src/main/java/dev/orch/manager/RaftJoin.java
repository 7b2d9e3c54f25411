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

  static void start(NodeIdentity id, CertificateFiles.Credentials creds, List<AutoCloseable> resources) {
    Thread t = new Thread(() -> run(id, creds), "raft-join");
    t.setDaemon(true);
    t.start();
    resources.add(t::interrupt);
  }

  private static void run(NodeIdentity id, CertificateFiles.Credentials creds) {
    ManagedChannel ch = NettyChannelBuilder.forTarget(id.managerAddress())
        .sslContext(creds.client()).overrideAuthority(TlsContexts.MANAGER_AUTHORITY).build();
    try {
      long backoff = 100;
      while (!Thread.currentThread().isInterrupted()) {
        try {
          var r = NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
              .joinRaft(JoinRaftRequest.newBuilder().setRaftAddr(id.advertiseHost() + ":" + id.raftPort()).build());
          LOG.info("joined the managers' Raft group: {}", r.getMembersList());
          return;
        } catch (RuntimeException e) {
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
