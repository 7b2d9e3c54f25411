package dev.orch.ctl;

import dev.orch.ctl.connect.ClientTls;
import dev.orch.ctl.connect.ManagerAddress;
import dev.orch.ctl.connect.ManagerConnection;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every command needs from its surroundings: output streams, the environment and a clock.
 * They are injected rather than taken from {@code System} so that orchctl runs in-process in
 * tests with a chosen ORCH_HOST, ORCH_TLS_DIR and captured output.
 */
public final class CtlContext {
    /** How long commands that wait for the cluster (service create) wait by default. */
    static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(60);

    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> env;
    private final Clock clock;
    private final Supplier<String> hostOption;
    private final Supplier<String> tlsDirOption;
    private final java.io.InputStream in;
    private final java.io.OutputStream rawOut;

    CtlContext(PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock,
            Supplier<String> hostOption, Supplier<String> tlsDirOption,
            java.io.InputStream in, java.io.OutputStream rawOut) {
        this.in = in;
        this.rawOut = rawOut;
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.clock = clock;
        this.hostOption = hostOption;
        this.tlsDirOption = tlsDirOption;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    /** Standard input, for commands that forward it (exec -i). */
    public java.io.InputStream in() {
        return in;
    }

    /**
     * Standard output as bytes, for output that is not text (exec relays a command's bytes);
     * flush {@link #out()} before writing here.
     */
    public java.io.OutputStream rawOut() {
        return rawOut;
    }

    /** The client's environment (for ORCH_HOST and for {@code -e KEY} without a value). */
    public Map<String, String> env() {
        return env;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Resolves the manager address (--host, ORCH_HOST, the host file) and the client certificate
     * (--tls-dir, ORCH_TLS_DIR, the config directory) and opens a mutual-TLS channel. Called only
     * once the command line has been validated, so usage errors never wait on the network.
     */
    public ManagerConnection connect() {
        ManagerAddress address = ManagerAddress.discover(hostOption.get(), env);
        return ManagerConnection.open(address, ClientTls.discover(tlsDirOption.get(), env));
    }

    /**
     * How long to wait for a service to converge: ORCH_WAIT_TIMEOUT seconds when set, because
     * slow machines (CI, first image unpack) need longer than an interactive user wants to wait.
     */
    public Duration waitTimeout() {
        String value = env.get("ORCH_WAIT_TIMEOUT");
        if (value == null || value.isBlank()) {
            return DEFAULT_WAIT_TIMEOUT;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // fall through to the usage error below
        }
        throw new UsageException("invalid ORCH_WAIT_TIMEOUT \"" + value
                + "\": use a whole number of seconds > 0 (e.g. 120), or unset it");
    }
}
