package dev.orch.agent.tls;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS contexts of every gRPC connection in the cluster. Each trusts exactly one root, the
 * cluster's CA, never the platform's trust store: a certificate from a public CA means nothing here.
 */
public final class TlsContexts {
  /**
   * The DNS name in every manager's server certificate. Managers are reached by IP addresses that
   * change, so clients check this name instead: {@code overrideAuthority(MANAGER_AUTHORITY)}. Only
   * manager certificates carry it, so a worker's certificate cannot impersonate a manager.
   */
  public static final String MANAGER_AUTHORITY = "orch-manager";

  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  /**
   * A manager's server context. Client certificates are requested but optional, because some calls
   * (fetching the CA during join) come from nodes that have none yet; the services authorize each
   * method from the verified peer certificate ({@link CertificateInfo#ofPeer}). Client certificates
   * are verified against {@code trustedCa} only; one that the CA did not sign leaves the connection
   * anonymous, exactly like no certificate, so a method that needs an identity must refuse it.
   */
  public static SslContext server(PrivateKey key, List<X509Certificate> chain, X509Certificate trustedCa) {
    requireChain(key, chain);
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forServer(key, chain))
          .trustManager(trustedCa)
          .clientAuth(ClientAuth.OPTIONAL)
          .protocols(PROTOCOLS)
          .build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot build the TLS server context: " + e.getMessage(), e);
    }
  }

  /**
   * A client context that trusts only servers whose certificate {@code trustedCa} signed, presenting
   * {@code key} and {@code chain} as the client certificate, or none when both are null.
   */
  public static SslContext client(X509Certificate trustedCa, PrivateKey key, List<X509Certificate> chain) {
    if ((key == null) != (chain == null)) {
      throw new IllegalArgumentException("a client certificate needs both its key and its chain; pass both or neither");
    }
    SslContextBuilder builder = GrpcSslContexts.forClient().trustManager(trustedCa).protocols(PROTOCOLS);
    if (key != null) {
      requireChain(key, chain);
      builder.keyManager(key, chain);
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot build the TLS client context: " + e.getMessage(), e);
    }
  }

  /**
   * A client context that trusts ANY server certificate, for one use only: fetching the root CA
   * certificate during join, before the node knows the CA. It authenticates nothing; the caller
   * must compare {@link CaDigest#of} of what it fetched with the digest in the join token, and use
   * nothing from that connection before the digests match. Every later connection, including the
   * certificate request, uses {@link #client} with the verified CA.
   */
  public static SslContext insecureClientForBootstrap() {
    try {
      return GrpcSslContexts.forClient()
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .protocols(PROTOCOLS)
          .build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot build the TLS bootstrap client context: " + e.getMessage(), e);
    }
  }

  private static void requireChain(PrivateKey key, List<X509Certificate> chain) {
    if (key == null || chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException("a TLS identity needs a private key and at least one certificate");
    }
  }
}
