package dev.orch.ctl.connect;

import dev.orch.ctl.CommandFailedException;
import io.grpc.Status;

/** A Control API call that failed; keeps the gRPC code so callers can retry version conflicts. */
public final class RpcFailedException extends CommandFailedException {
    private static final long serialVersionUID = 1L;

    private final Status.Code code;

    RpcFailedException(String message, Status.Code code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Status.Code code() {
        return code;
    }

    /**
     * Whether the manager refused a write because the object changed since it was read (the store's
     * optimistic concurrency); re-reading and writing again is the fix. The manager reserves
     * ABORTED for this, as gRPC's guidance says for read-modify-write conflicts.
     */
    public boolean isVersionConflict() {
        return code == Status.Code.ABORTED;
    }

    /**
     * Whether the manager could not be reached or answered nothing in time: every further call
     * would fail the same way, so commands working through several targets stop at the first.
     */
    public boolean isUnavailable() {
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    }

    /**
     * Whether every further call would fail the same way: the manager is unavailable, or it
     * refused this client's certificate (which it checks on every call, whatever the target).
     */
    public boolean affectsEveryCall() {
        return isUnavailable() || code == Status.Code.PERMISSION_DENIED
                || code == Status.Code.UNAUTHENTICATED;
    }
}
