package dev.orch.ctl.connect;

import io.grpc.Status;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/**
 * Turns a failed gRPC call into one sentence. Transport failures (nothing listening, no route,
 * no answer) name the address and what to check; errors sent by the server are passed on as is,
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
            boolean connected, Duration timeout) {
        Status status = Status.fromThrowable(failure);
        return new RpcFailedException(describe(status, address, connected, timeout),
                status.getCode(), failure);
    }

    static String describe(Status status, ManagerAddress address, boolean connected,
            Duration timeout) {
        String description = firstLine(status.getDescription());
        if (description.startsWith("HTTP status code")) {
            // grpc-java's wording when something other than a gRPC server answered
            return "the server at " + address + " is not an orch manager (" + description
                    + "); check --host/ORCH_HOST";
        }
        switch (status.getCode()) {
            case UNAVAILABLE:
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
