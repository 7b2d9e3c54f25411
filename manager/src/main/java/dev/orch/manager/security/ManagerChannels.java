package dev.orch.manager.security;

import dev.orch.agent.tls.TlsContexts;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * The mutual-TLS channel from a node to its manager. Replacing the credentials (after a
 * certificate renewal) builds a new channel for new calls and lets the old one finish its calls.
 */
public final class ManagerChannels implements AutoCloseable {
  private final String target;
  private volatile ManagedChannel current;

  public ManagerChannels(String target, CertificateFiles.Credentials credentials) {
    this.target = target;
    this.current = build(credentials);
  }

  private ManagedChannel build(CertificateFiles.Credentials credentials) {
    return NettyChannelBuilder.forTarget(target)
        .sslContext(credentials.client())
        .overrideAuthority(TlsContexts.MANAGER_AUTHORITY)
        .build();
  }

  public ManagedChannel current() {
    return current;
  }

  public synchronized void replace(CertificateFiles.Credentials credentials) {
    ManagedChannel old = current;
    current = build(credentials);
    old.shutdown();
  }

  @Override
  public synchronized void close() throws InterruptedException {
    current.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
