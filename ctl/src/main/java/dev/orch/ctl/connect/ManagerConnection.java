package dev.orch.ctl.connect;

import dev.orch.proto.ControlGrpc;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A channel to one manager's Control API. This is the only place orchctl creates channels, so
 * that mutual TLS (the node certificate and pinned root CA) is added here and nowhere else.
 *
 * <p>Every call gets its own deadline: a CLI must fail with a message rather than hang on a
 * partitioned manager.
 */
public final class ManagerConnection implements AutoCloseable {
    /** Deadline of an ordinary call; the manager answers reads and writes well within it. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** Deadline of an image import, which streams a whole archive and unpacks it on the manager. */
    public static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(30);

    private static final int MAX_MESSAGE_BYTES = 64 << 20;

    private final ManagerAddress address;
    private final ManagedChannel channel;

    private ManagerConnection(ManagerAddress address, ManagedChannel channel) {
        this.address = address;
        this.channel = channel;
    }

    /** Creates the channel; it connects lazily, on the first call. */
    public static ManagerConnection open(ManagerAddress address) {
        // Plaintext until the CA work lands: swap InsecureChannelCredentials for TLS credentials.
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(address.host(), address.port(),
                        InsecureChannelCredentials.create())
                .userAgent("orchctl")
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
        return new ManagerConnection(address, channel);
    }

    public ManagerAddress address() {
        return address;
    }

    /**
     * Makes one unary call with {@link #CALL_TIMEOUT}; a failure becomes an
     * {@link RpcFailedException} whose message is ready for the user.
     */
    public <T> T call(Function<ControlGrpc.ControlBlockingStub, T> rpc) {
        ControlGrpc.ControlBlockingStub stub = ControlGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return rpc.apply(stub);
        } catch (StatusRuntimeException e) {
            throw failure(e, CALL_TIMEOUT);
        }
    }

    /** An async stub for streaming calls, with the given deadline. */
    public ControlGrpc.ControlStub asyncStub(Duration timeout) {
        return ControlGrpc.newStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Translates a failure of a call made with {@code timeout} into a user-ready exception. */
    public RpcFailedException failure(Throwable failure, Duration timeout) {
        boolean connected = channel.getState(false) == ConnectivityState.READY;
        return RpcFailures.translate(failure, address, connected, timeout);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
