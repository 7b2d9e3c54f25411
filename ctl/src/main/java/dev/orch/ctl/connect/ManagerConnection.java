package dev.orch.ctl.connect;

import dev.orch.ctl.CommandFailedException;
import dev.orch.proto.ControlGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A channel to one manager's Control API. This is the only place orchctl creates channels. Every
 * channel is mutual TLS: the manager's certificate must chain to the cluster's root CA in
 * {@code ca.pem} (never the platform's trust store) and carry the name {@value #MANAGER_AUTHORITY};
 * orchctl presents the admin certificate {@code cert.pem}/{@code key.pem} ({@link ClientTls}).
 *
 * <p>Every call gets its own deadline: a CLI must fail with a message rather than hang on a
 * partitioned manager.
 */
public final class ManagerConnection implements AutoCloseable {
    /** Deadline of an ordinary call; the manager answers reads and writes well within it. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** Deadline of an image import, which streams a whole archive and unpacks it on the manager. */
    public static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(30);

    /**
     * The DNS name in every manager's server certificate, checked instead of the address: managers
     * are reached by IP addresses that change, and only manager certificates carry this name.
     */
    public static final String MANAGER_AUTHORITY = "orch-manager";

    private static final int MAX_MESSAGE_BYTES = 64 << 20;

    private final ManagerAddress address;
    private final ClientTls tls;
    private final ManagedChannel channel;

    private ManagerConnection(ManagerAddress address, ClientTls tls, ManagedChannel channel) {
        this.address = address;
        this.tls = tls;
        this.channel = channel;
    }

    /**
     * Creates the channel; it connects lazily, on the first call. Missing or unusable certificate
     * files fail here, before anything goes on the network.
     */
    public static ManagerConnection open(ManagerAddress address, ClientTls tls) {
        ChannelCredentials credentials = credentials(tls.requireFiles());
        ManagedChannel channel;
        try {
            channel = Grpc.newChannelBuilderForAddress(address.host(), address.port(), credentials)
                    .overrideAuthority(MANAGER_AUTHORITY)
                    .userAgent("orchctl")
                    .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                    .build();
        } catch (RuntimeException e) {
            // grpc-netty parses the PEM files only here: a file that is not a certificate or a
            // PKCS#8 key, or a key that does not match the certificate, ends up in this exception.
            throw unusable(tls, e);
        }
        return new ManagerConnection(address, tls, channel);
    }

    private static ChannelCredentials credentials(ClientTls tls) {
        try {
            return TlsChannelCredentials.newBuilder()
                    .trustManager(tls.ca().toFile())
                    .keyManager(tls.cert().toFile(), tls.key().toFile())
                    .build();
        } catch (IOException e) {
            throw new CommandFailedException("cannot read the client certificate in " + tls.dir()
                    + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + "); "
                    + tls.fix(), e);
        } catch (RuntimeException e) {
            throw unusable(tls, e);
        }
    }

    private static CommandFailedException unusable(ClientTls tls, RuntimeException e) {
        String reason = RpcFailures.innermostMessage(e);
        int sslContext = reason.indexOf(SSL_CONTEXT_FAILURE);
        if (sslContext >= 0) {
            // "No functional channel service provider found ... Unable to create SslContext: X; ..."
            reason = reason.substring(sslContext + SSL_CONTEXT_FAILURE.length()).split(";")[0];
        }
        return tls.unusable(reason.strip());
    }

    private static final String SSL_CONTEXT_FAILURE = "Unable to create SslContext:";

    public ManagerAddress address() {
        return address;
    }

    /** Where the client certificate came from, for error messages. */
    public ClientTls tls() {
        return tls;
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

    /** An async stub without a deadline, for interactive streams (exec) that end when the user ends them. */
    public ControlGrpc.ControlStub interactiveStub() {
        return ControlGrpc.newStub(channel);
    }

    /** Translates a failure of a call made with {@code timeout} into a user-ready exception. */
    public RpcFailedException failure(Throwable failure, Duration timeout) {
        boolean connected = channel.getState(false) == ConnectivityState.READY;
        return RpcFailures.translate(failure, address, tls, connected, timeout);
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
