package dev.orch.manager.security;

import dev.orch.agent.tls.Pem;
import dev.orch.agent.tls.TlsContexts;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Channels to a manager with the admin client bundle ({@code ca.pem}, {@code cert.pem}, {@code key.pem}). */
public final class AdminChannels {
  private AdminChannels() {}

  public static ManagedChannel open(Path bundle, String target) throws IOException {
    return NettyChannelBuilder.forTarget(target)
        .sslContext(TlsContexts.client(
            Pem.certificate(Files.readString(bundle.resolve("ca.pem"))),
            Pem.privateKey(Files.readString(bundle.resolve("key.pem"))),
            Pem.certificates(Files.readString(bundle.resolve("cert.pem")))))
        .overrideAuthority(TlsContexts.MANAGER_AUTHORITY)
        .maxInboundMessageSize(64 << 20)
        .build();
  }
}
