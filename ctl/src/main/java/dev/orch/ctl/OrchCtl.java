package dev.orch.ctl;

import dev.orch.ctl.image.ImageCommand;
import dev.orch.ctl.node.NodeCommand;
import dev.orch.ctl.service.ServiceCommand;
import dev.orch.ctl.swarm.SwarmCommand;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code orchctl} root command and its entry points. {@link #run} is what both {@link #main}
 * and in-process tests call, with the streams and environment to use.
 */
@Command(name = "orchctl", mixinStandardHelpOptions = true,
        versionProvider = OrchCtl.VersionProvider.class,
        description = "Drive an orch cluster through a manager's Control API.",
        footer = {"", "The manager address comes from --host, else ORCH_HOST, else the file "
                + "$ORCH_CONFIG_DIR/host (default ~/.orch/host) that orchd init writes.",
                "The client certificate (ca.pem, cert.pem, key.pem: the admin bundle in the "
                + "manager's DATA/admin/) is read from --tls-dir, else ORCH_TLS_DIR, else "
                + "$ORCH_CONFIG_DIR (default ~/.orch).",
                "Exit codes: 0 ok, 1 failure (unreachable manager, refused request), 2 usage error."},
        subcommands = {ServiceCommand.class, NodeCommand.class, ImageCommand.class,
            SwarmCommand.class, dev.orch.ctl.events.EventsCommand.class,
            dev.orch.ctl.container.ExecCommand.class, dev.orch.ctl.container.StatsCommand.class,
            dev.orch.ctl.registry.RegistryCommand.class, dev.orch.ctl.volume.VolumeCommand.class,
            dev.orch.ctl.network.NetworkCommand.class, dev.orch.ctl.data.SecretCommand.class,
            dev.orch.ctl.data.ConfigCommand.class, dev.orch.ctl.stack.StackCommand.class})
public final class OrchCtl extends CommandGroup {
    /** Inherited so that it may be written before or after the subcommand, as with docker -H. */
    @Option(names = "--host", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            description = "Manager to talk to (default: ORCH_HOST, then the host file).")
    String host;

    @Option(names = "--tls-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Directory with ca.pem, cert.pem and key.pem (default: ORCH_TLS_DIR, "
                    + "then $ORCH_CONFIG_DIR or ~/.orch).")
    String tlsDir;

    private OrchCtl() {
    }

    public static void main(String[] args) {
        // grpc-java logs transport noise through java.util.logging; the user gets one error line.
        Logger.getLogger("io.grpc").setLevel(Level.OFF);
        int exitCode = run(System.in, System.out, System.err, System.getenv(), args);
        System.exit(exitCode);
    }

    /**
     * Runs one orchctl command line. Never throws and never calls {@code System.exit}: every
     * outcome is the returned exit code ({@link ExitCodes}) and what was printed.
     */
    public static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
        return run(InputStream.nullInputStream(), out, err, env, args);
    }

    /** As {@link #run(PrintStream, PrintStream, Map, String...)}, with standard input (exec -i). */
    public static int run(InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
            String... args) {
        PrintWriter outWriter = writer(out);
        PrintWriter errWriter = writer(err);
        try {
            OrchCtl root = new OrchCtl();
            CtlContext context = new CtlContext(outWriter, errWriter, env, Clock.systemUTC(),
                    () -> root.host, () -> root.tlsDir, in, out);
            return commandLine(root, context, env).execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    private static CommandLine commandLine(OrchCtl root, CtlContext context, Map<String, String> env) {
        CommandLine commandLine = new CommandLine(root, new ContextFactory(context));
        ErrorReporter reporter = new ErrorReporter(context.err(), env.containsKey("ORCH_DEBUG"));
        commandLine.setOut(context.out())
                .setErr(context.err())
                .setParameterExceptionHandler(reporter)
                .setExecutionExceptionHandler(reporter)
                // like docker: a repeated option takes its last value
                .setOverwrittenOptionsAllowed(true)
                // "@file" is a plausible container argument, not a request to expand a file
                .setExpandAtFiles(false);
        // Everything after IMAGE belongs to the container's command: `service create busybox sh -c 'x'`.
        commandLine.getSubcommands().get("service").getSubcommands().get("create")
                .setStopAtPositional(true);
        // Likewise everything after TASK is the command: `exec TASK sh -c 'x'`.
        commandLine.getSubcommands().get("exec").setStopAtPositional(true);
        return commandLine;
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }

    /** Reports the version Maven filtered into the resource at build time. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            Properties properties = new Properties();
            try (InputStream in = OrchCtl.class.getResourceAsStream("/orchctl-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {"orchctl " + properties.getProperty("version", "unknown")};
        }
    }
}
