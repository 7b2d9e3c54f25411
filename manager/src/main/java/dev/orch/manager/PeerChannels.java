package dev.orch.manager;

import dev.orch.agent.tls.TlsContexts;
import dev.orch.manager.security.CertificateFiles;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Mutual-TLS channels from this manager to other managers, by address, kept until close. */
final class PeerChannels implements Function<String, Channel>, AutoCloseable {
  private final CertificateFiles.Credentials credentials;
  private final Map<String, ManagedChannel> channels = new HashMap<>();

  PeerChannels(CertificateFiles.Credentials credentials) {
    this.credentials = credentials;
  }

  @Override
  public synchronized Channel apply(String address) {
    return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a)
        .sslContext(credentials.client()).overrideAuthority(TlsContexts.MANAGER_AUTHORITY).build());
  }

  @Override
  public synchronized void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
