package dev.orch.manager;

import dev.orch.agent.tls.NodeKeys;
import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.TlsContexts;
import dev.orch.manager.security.CertificateFiles;
import dev.orch.proto.NodeCAGrpc;
import dev.orch.proto.NodeCertificateResponse;
import dev.orch.proto.NodeRole;
import dev.orch.proto.RenewNodeCertificateRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Promotion and demotion as the node carries them out: a certificate for the new role (the CA
 * decides the role from the cluster state), a new identity, and for a demoted manager its Raft
 * directory moved aside, so that a later promotion joins the group afresh.
 */
final class RoleTransition {
  static final int MANAGER_PORT = 4242;

  private RoleTransition() {}

  static NodeIdentity apply(NodeIdentity current, NodeRole wanted, Path dataDir) throws IOException {
    List<String> managers = knownManagers(current, dataDir);
    CertificateFiles files = new CertificateFiles(dataDir);
    String used = renew(files, managers);
    NodeIdentity next;
    if (wanted == NodeRole.MANAGER) {
      next = new NodeIdentity(current.nodeId(), current.clusterId(), current.advertiseHost(), MANAGER_PORT,
          MANAGER_PORT + 1, true, used);
    } else {
      Path raft = dataDir.resolve("manager/raft");
      if (Files.exists(raft)) {
        Files.move(raft, dataDir.resolve("manager/raft-demoted-" + System.currentTimeMillis()));
      }
      next = NodeIdentity.worker(current.nodeId(), current.clusterId(), current.advertiseHost(), used);
    }
    next.save(dataDir);
    return next;
  }

  /** Managers to ask, the node's own API last (after a demotion it no longer serves). */
  private static List<String> knownManagers(NodeIdentity id, Path dataDir) throws IOException {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    Path file = dataDir.resolve("managers");
    if (Files.exists(file)) {
      Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).forEach(out::add);
    }
    out.add(id.managerAddress());
    String own = id.advertiseHost() + ":" + id.controlPort();
    out.remove(own);
    return new ArrayList<>(out);
  }

  /** Renews the certificate with a fresh key through the first manager that answers; returns it. */
  private static String renew(CertificateFiles files, List<String> managers) throws IOException {
    CertificateFiles.Credentials creds = files.load();
    IOException last = new IOException("no manager known to renew the certificate with");
    for (String addr : managers) {
      ManagedChannel ch = NettyChannelBuilder.forTarget(addr).sslContext(creds.client())
          .overrideAuthority(TlsContexts.MANAGER_AUTHORITY).build();
      try {
        KeyPair keys = NodeKeys.generate();
        NodeCertificateResponse r = NodeCAGrpc.newBlockingStub(ch).withDeadlineAfter(15, TimeUnit.SECONDS)
            .renewNodeCertificate(RenewNodeCertificateRequest.newBuilder().setCsrPem(NodeKeys.csr(keys)).build());
        files.saveNode(r.getCaPem(), r.getCertificatePem(), Pem.encode(keys.getPrivate()));
        return addr;
      } catch (RuntimeException e) {
        last = new IOException("renewing the certificate through " + addr + " failed: " + e.getMessage(), e);
      } finally {
        ch.shutdownNow();
      }
    }
    throw last;
  }
}
