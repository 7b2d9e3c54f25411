package dev.orch.ctl.connect;

import io.grpc.Status;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Turns a failed gRPC call into one sentence. Transport failures (nothing listening, no route,
 * no answer) name the address and what to check; TLS failures say which side refused which
 * certificate and how to get the right one; errors sent by the server are passed on as is,
 * because the manager words them for users.
 */
public final class RpcFailures {
    private RpcFailures() {
    }

    /**
     * @param connected whether the channel had a working connection when the call failed; tells a
     *     manager that cannot be reached apart from one that answered with an error
     */
    public static RpcFailedException translate(Throwable failure, ManagerAddress address,
            ClientTls tls, boolean connected, Duration timeout) {
        Status status = Status.fromThrowable(failure);
        return new RpcFailedException(describe(status, address, tls, connected, timeout),
                status.getCode(), failure);
    }

    static String describe(Status status, ManagerAddress address, ClientTls tls,
            boolean connected, Duration timeout) {
        String description = firstLine(status.getDescription());
        if (description.startsWith("HTTP status code")) {
            // grpc-java's wording when something other than a gRPC server answered
            return "the server at " + address + " is not an orch manager (" + description
                    + "); check --host/ORCH_HOST";
        }
        switch (status.getCode()) {
            case PERMISSION_DENIED:
            case UNAUTHENTICATED:
                // The Control API refuses only by the caller's certificate: wrong cluster or role.
                return "the manager at " + address + " did not accept this client's certificate "
                        + tls.cert() + ": " + (description.isEmpty()
                                ? "it belongs to another cluster or is not an admin certificate"
                                : description) + "; " + tls.fix();
            case UNAVAILABLE:
                String handshake = handshakeFailure(status, address, tls);
                if (handshake != null) {
                    return handshake;
                }
                if (!connected || status.getCause() != null) {
                    return unreachable(address, transportReason(status));
                }
                return description.isEmpty()
                        ? "the manager at " + address + " is unavailable; try again" : description;
            case DEADLINE_EXCEEDED:
                if (!connected) {
                    return unreachable(address, "no answer within " + seconds(timeout));
                }
                return "the manager at " + address + " did not answer within " + seconds(timeout)
                        + "; it may be overloaded or without a raft leader: try again, "
                        + "or check the orchd log";
            case UNIMPLEMENTED:
                return "the manager at " + address + " does not support this request ("
                        + description + "); are orchctl and orchd the same version?";
            default:
                return description.isEmpty()
                        ? "the manager failed the request (" + status.getCode() + ")" : description;
        }
    }

    /**
     * What went wrong in the TLS handshake, or null if the failure was not one. Each side checks
     * the other's certificate against its own root CA; which side gave up tells the causes apart.
     */
    static String handshakeFailure(Status status, ManagerAddress address, ClientTls tls) {
        SSLException ssl = null;
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getClass().getSimpleName().equals("NotSslRecordException")) {
                return "the server at " + address + " does not speak TLS; is it an orch manager of"
                        + " this version? check --host/ORCH_HOST";
            }
            if (cause instanceof CertificateException) {
                return untrustedServer(address, tls, reason(cause));
            }
            if (ssl == null && cause instanceof SSLException sslException) {
                ssl = sslException;
            }
        }
        if (ssl == null) {
            return null;
        }
        String reason = reason(ssl);
        if (reason.toLowerCase(Locale.ROOT).contains("key_values_mismatch")) {
            // BoringSSL found out only when the handshake needed the key.
            return "the client certificate in " + tls.dir() + " is unusable: "
                    + ClientTls.KEY_FILE + " is not the key of " + ClientTls.CERT_FILE + "; "
                    + tls.fix();
        }
        // The manager ended the handshake: it refused the certificate this client presented.
        return "the manager at " + address + " did not accept this client's certificate "
                + tls.cert() + " (" + reason + "): it belongs to another cluster or has expired; "
                + tls.fix();
    }

    /** This client refused the manager's certificate. */
    private static String untrustedServer(ManagerAddress address, ClientTls tls, String reason) {
        if (reason.contains(ManagerConnection.MANAGER_AUTHORITY)) {
            // Signed by the right CA but without the managers' name: a worker's certificate.
            return "the server at " + address + " presented a certificate that is not a "
                    + "manager's (" + reason + "); check --host/ORCH_HOST";
        }
        return "the manager at " + address + " presented a certificate that " + tls.ca()
                + " does not trust (" + reason + "): the manager belongs to another cluster, or "
                + ClientTls.CA_FILE + " is from an older one; " + tls.fix();
    }

    /**
     * BoringSSL words errors as "error:10000415:SSL routines:OPENSSL_internal:
     * SSLV3_ALERT_CERTIFICATE_EXPIRED"; keep the reason, as "alert: certificate expired".
     */
    static String reason(Throwable failure) {
        String message = innermostMessage(failure).replaceAll("\\s+", " ");
        Matcher boring = BORINGSSL_ERROR.matcher(message);
        if (!boring.find()) {
            return message;
        }
        String code = boring.group(1).toLowerCase(Locale.ROOT);
        Matcher alert = ALERT.matcher(code);
        return alert.matches() ? "alert: " + alert.group(1).replace('_', ' ') : code;
    }

    private static final Pattern BORINGSSL_ERROR =
            Pattern.compile("error:[0-9a-fA-F]+:[^:]*:[^:]*:([A-Z0-9_]+)");
    private static final Pattern ALERT = Pattern.compile("(?:tlsv1|sslv3|tlsv13)_alert_(\\w+)");

    /** The innermost message of {@code failure}'s causes, on one line: the most specific one. */
    public static String innermostMessage(Throwable failure) {
        String message = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                message = cause.getMessage();
            }
        }
        return message == null ? failure.getClass().getSimpleName() : firstLine(message);
    }

    static String unreachable(ManagerAddress address, String reason) {
        return "cannot reach the manager at " + address + " (" + reason
                + "); is orchd running? check --host/ORCH_HOST";
    }

    /** The most specific cause a user can act on: refused, unknown host, no route, timed out. */
    static String transportReason(Status status) {
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException) {
                return "unknown host";
            }
            if (cause instanceof SocketException && cause.getMessage() != null) {
                return socketReason(cause.getMessage());
            }
        }
        String description = firstLine(status.getDescription());
        if (description.isEmpty() || description.equalsIgnoreCase("io exception")) {
            return "unavailable";
        }
        return description.substring(0, 1).toLowerCase(Locale.ROOT) + description.substring(1);
    }

    /**
     * netty's native transport words errors as "finishConnect(..) failed with error(-111):
     * Connection refused: /10.0.0.1:4242"; keep only the operating system's reason.
     */
    static String socketReason(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        for (String reason : KNOWN_SOCKET_REASONS) {
            if (lower.contains(reason)) {
                return reason;
            }
        }
        String reason = lower.replaceAll(": /\\S*$", "")
                .replaceAll("^.*failed with error\\(-?\\d+\\): ", "");
        return reason.isBlank() ? "unavailable" : reason.strip();
    }

    private static final String[] KNOWN_SOCKET_REASONS = {"connection refused", "no route to host",
        "network is unreachable", "connection timed out", "connection reset by peer",
        "host is down"};

    private static String seconds(Duration timeout) {
        long seconds = timeout.toSeconds();
        return seconds % 60 == 0 && seconds >= 120 ? seconds / 60 + " min" : seconds + " s";
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String stripped = text.strip();
        int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline).strip();
    }
}
