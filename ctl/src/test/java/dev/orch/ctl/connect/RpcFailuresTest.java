package dev.orch.ctl.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class RpcFailuresTest {
    private static final ManagerAddress ADDRESS = new ManagerAddress("10.0.0.1", 4242);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ClientTls TLS = new ClientTls(Path.of("/home/op/.orch"));

    private static String describe(Status status, boolean connected) {
        return RpcFailures.describe(status, ADDRESS, TLS, connected, TIMEOUT);
    }

    @Test
    void refusedConnectionFromNettysNativeTransport() {
        Status status = Status.UNAVAILABLE.withDescription("io exception").withCause(
                new ConnectException("finishConnect(..) failed with error(-111): Connection "
                        + "refused: /10.0.0.1:4242"));
        assertEquals("cannot reach the manager at 10.0.0.1:4242 (connection refused); is orchd "
                + "running? check --host/ORCH_HOST", describe(status, false));
    }

    @Test
    void otherTransportReasons() {
        assertEquals("unknown host", RpcFailures.transportReason(
                Status.UNAVAILABLE.withCause(new UnknownHostException("x"))));
        assertEquals("no route to host", RpcFailures.socketReason(
                "connect(..) failed with error(-113): No route to host: /10.0.0.9:4242"));
        assertEquals("weird thing", RpcFailures.socketReason(
                "connect(..) failed with error(-5): Weird thing: /10.0.0.9:4242"));
    }

    @Test
    void noAnswerBeforeConnectingIsUnreachable() {
        assertEquals("cannot reach the manager at 10.0.0.1:4242 (no answer within 10 s); is orchd "
                + "running? check --host/ORCH_HOST",
                describe(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 9.9s"),
                        false));
        assertTrue(describe(Status.DEADLINE_EXCEEDED, true)
                .startsWith("the manager at 10.0.0.1:4242 did not answer within 10 s;"));
    }

    @Test
    void serverMessagesPassThroughOnOneLine() {
        assertEquals("service web not found",
                describe(Status.NOT_FOUND.withDescription("service web not found"), true));
        assertEquals("no raft leader yet", describe(
                Status.UNAVAILABLE.withDescription("no raft leader yet\nretry later"), true));
        assertEquals("the manager failed the request (INTERNAL)", describe(Status.INTERNAL, true));
    }

    @Test
    void somethingElseListening() {
        assertEquals("the server at 10.0.0.1:4242 is not an orch manager (HTTP status code 404); "
                + "check --host/ORCH_HOST", describe(Status.UNIMPLEMENTED
                        .withDescription("HTTP status code 404\nmissing content-type"), true));
    }

    @Test
    void conflictCodes() {
        RpcFailedException aborted = RpcFailures.translate(
                Status.ABORTED.withDescription("version 3 is stale").asRuntimeException(), ADDRESS,
                TLS, true, TIMEOUT);
        assertTrue(aborted.isVersionConflict());
        assertFalse(aborted.isUnavailable());
        assertEquals("version 3 is stale", aborted.getMessage());
    }

    @Test
    void refusedCertificateNamesTheFileAndTheFix() {
        assertEquals("the manager at 10.0.0.1:4242 did not accept this client's certificate "
                + "/home/op/.orch/cert.pem: it belongs to another cluster or is not an admin "
                + "certificate; copy the admin bundle from the manager's DATA/admin/ to "
                + "/home/op/.orch, or pass --tls-dir", describe(Status.PERMISSION_DENIED, true));
        RpcFailedException denied = RpcFailures.translate(Status.PERMISSION_DENIED
                .withDescription("wrong role").asRuntimeException(), ADDRESS, TLS, true, TIMEOUT);
        assertTrue(denied.affectsEveryCall());
        assertFalse(denied.isUnavailable());
    }

    @Test
    void handshakeAlertsReadAsWords() {
        assertEquals("alert: certificate expired", RpcFailures.reason(new SSLHandshakeException(
                "error:10000415:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED")));
        assertEquals("alert: certificate required", RpcFailures.reason(new SSLException("x",
                new SSLException("error:1000045c:SSL routines:OPENSSL_internal:"
                        + "TLSV1_ALERT_CERTIFICATE_REQUIRED"))));
        assertEquals("Received fatal alert: bad_certificate",
                RpcFailures.reason(new SSLException("Received fatal alert: bad_certificate")));
    }

    @Test
    void aHandshakeRefusalIsNotUnreachable() {
        Status refused = Status.UNAVAILABLE.withDescription("ssl exception").withCause(
                new SSLHandshakeException("Received fatal alert: bad_certificate"));
        assertEquals("the manager at 10.0.0.1:4242 did not accept this client's certificate "
                + "/home/op/.orch/cert.pem (Received fatal alert: bad_certificate): it belongs to "
                + "another cluster or has expired; copy the admin bundle from the manager's "
                + "DATA/admin/ to /home/op/.orch, or pass --tls-dir", describe(refused, false));
        Status untrusted = Status.UNAVAILABLE.withCause(new SSLHandshakeException("failed")
                .initCause(new CertificateException("PKIX path building failed")));
        assertTrue(describe(untrusted, false).startsWith("the manager at 10.0.0.1:4242 presented a "
                + "certificate that /home/op/.orch/ca.pem does not trust (PKIX path building "
                + "failed): "), describe(untrusted, false));
    }
}
