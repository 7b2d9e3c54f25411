package dev.orch.manager.security;

import dev.orch.agent.tls.CertificateInfo;
import dev.orch.agent.tls.NodeKeys;
import dev.orch.agent.tls.Pem;
import dev.orch.proto.NodeCAGrpc;
import dev.orch.proto.NodeCertificateResponse;
import dev.orch.proto.RenewNodeCertificateRequest;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews this node's certificate at a random point between 50 % and 80 % of its lifetime (so that
 * a cluster's nodes do not all renew at once), with a fresh key, through the CA API on the current
 * mutual-TLS channel. Failures retry with backoff until the certificate expires.
 */
public final class CertificateRenewer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewer.class);
  private static final Duration RETRY = Duration.ofMinutes(1);

  private final CertificateFiles files;
  private final ManagerChannels channels;
  private final Clock clock;
  private final Random random;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "certificate-renewer");
    t.setDaemon(true);
    return t;
  });

  public CertificateRenewer(CertificateFiles files, ManagerChannels channels, Clock clock, Random random)
      throws IOException {
    this.files = files;
    this.channels = channels;
    this.clock = clock;
    this.random = random;
    schedule(renewalTime(CertificateInfo.of(files.load().leaf())));
  }

  /** When to renew a certificate: a random point in [50 %, 80 %] of its validity. */
  Instant renewalTime(CertificateInfo cert) {
    long lifetime = Duration.between(cert.notBefore(), cert.notAfter()).toMillis();
    double fraction = 0.5 + 0.3 * random.nextDouble();
    return cert.notBefore().plusMillis((long) (lifetime * fraction));
  }

  private void schedule(Instant when) {
    long delay = Math.max(0, Duration.between(clock.instant(), when).toMillis());
    LOG.info("node certificate renewal scheduled at {}", when);
    timer.schedule(this::renew, delay, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    try {
      KeyPair keys = NodeKeys.generate();
      NodeCertificateResponse r = NodeCAGrpc.newBlockingStub(channels.current())
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .renewNodeCertificate(RenewNodeCertificateRequest.newBuilder().setCsrPem(NodeKeys.csr(keys)).build());
      files.saveNode(r.getCaPem(), r.getCertificatePem(), Pem.encode(keys.getPrivate()));
      CertificateFiles.Credentials creds = files.load();
      channels.replace(creds);
      LOG.info("node certificate renewed; valid until {}", CertificateInfo.of(creds.leaf()).notAfter());
      schedule(renewalTime(CertificateInfo.of(creds.leaf())));
    } catch (IOException | RuntimeException e) {
      LOG.warn("renewing the node certificate failed, retrying in {}: {}", RETRY, e.toString());
      timer.schedule(this::renew, RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
