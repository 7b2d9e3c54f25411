package dev.orch.ctl.swarm;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.GetJoinTokensRequest;
import dev.orch.proto.JoinTokensResponse;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl swarm join-token worker|manager [--rotate] [-q]}: prints the command that joins a
 * machine to the cluster in that role, as docker does; {@code -q} only the token, for scripts.
 * Rotating replaces the token's secret: the old token stops working, joined nodes are unaffected.
 */
@Command(name = "join-token", mixinStandardHelpOptions = true,
        description = "Print the command that joins a node as worker or manager; --rotate "
                + "replaces the token.")
final class SwarmJoinTokenCommand implements Callable<Integer> {
    static final String WORKER = "worker";
    static final String MANAGER = "manager";
    /** Where orchd keeps its state unless told otherwise; printed so the command runs as is. */
    static final String DEFAULT_DATA_DIR = "/var/lib/orch";

    private final CtlContext context;

    @Option(names = "--rotate", description = "Replace the token of this role with a new one.")
    boolean rotate;

    @Option(names = {"-q", "--quiet"}, description = "Print only the token.")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "worker|manager", description = "Role to join as.")
    String role;

    SwarmJoinTokenCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        String normalized = role.strip().toLowerCase(Locale.ROOT);
        if (!normalized.equals(WORKER) && !normalized.equals(MANAGER)) {
            throw new UsageException("invalid role \"" + role + "\": use worker or manager "
                    + "(e.g. orchctl swarm join-token worker)");
        }
        boolean worker = normalized.equals(WORKER);
        try (ManagerConnection connection = context.connect()) {
            JoinTokensResponse tokens = connection.call(control -> control.getJoinTokens(
                    GetJoinTokensRequest.newBuilder()
                            .setRotateWorker(rotate && worker)
                            .setRotateManager(rotate && !worker)
                            .build()));
            String token = worker ? tokens.getWorker() : tokens.getManager();
            if (token.isEmpty()) {
                throw new CommandFailedException("the manager at " + connection.address()
                        + " returned no " + normalized + " join token; check the orchd log");
            }
            PrintWriter out = context.out();
            if (quiet) {
                out.println(token);
            } else {
                if (rotate) {
                    out.print("Successfully rotated " + normalized + " join token.\n\n");
                }
                String manager = tokens.getManagersCount() > 0
                        ? tokens.getManagers(0) : connection.address().toString();
                out.print(joinInstructions(normalized, token, manager));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** docker's wording, with the orchd command that joins a machine. */
    static String joinInstructions(String role, String token, String manager) {
        return "To add a " + role + " to this swarm, run the following command:\n\n"
                + "    orchd join --token " + token + " --data-dir " + DEFAULT_DATA_DIR
                + " --advertise-addr <this node's IP> " + manager + "\n";
    }
}
