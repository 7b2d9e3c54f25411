package dev.orch.ctl.registry;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CommandGroup;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Groups the registry subcommands. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Keep credentials for image registries (used by service create/update --with-registry-auth).",
        subcommands = {RegistryCommand.Login.class, RegistryCommand.Logout.class})
public final class RegistryCommand extends CommandGroup {

    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?");

    static String checkedRegistry(String registry) {
        if (!HOST.matcher(registry).matches()) {
            throw new UsageException("invalid registry \"" + registry + "\": give HOST[:PORT] as in image references, "
                    + "e.g. registry.example.com or 10.0.0.5:5000 (docker.io for Docker Hub)");
        }
        return registry;
    }

    /** Stores credentials; they are checked against the registry when a service uses them. */
    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Store a user and password for REGISTRY in $ORCH_CONFIG_DIR/registries.json (mode 0600). "
                    + "They are checked by the manager when a service is created with --with-registry-auth.")
    static final class Login implements Callable<Integer> {
        private final CtlContext context;

        @Option(names = {"-u", "--username"}, required = true, paramLabel = "USER", description = "User name.")
        String username;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
                description = "Password (visible to other users in the process list; prefer --password-stdin).")
        String password;

        @Parameters(index = "0", paramLabel = "REGISTRY", description = "Registry HOST[:PORT] (docker.io for Docker Hub).")
        String registry;

        Login(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            checkedRegistry(registry);
            if (passwordStdin == (password != null)) {
                throw new UsageException("give the password with exactly one of --password-stdin or --password");
            }
            String secret = password;
            if (passwordStdin) {
                try {
                    String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    secret = line == null ? "" : line;
                } catch (IOException e) {
                    throw new CommandFailedException("reading the password from standard input failed: " + e.getMessage());
                }
            }
            if (secret.isEmpty()) {
                throw new UsageException("empty password: pipe the password to --password-stdin");
            }
            new RegistryCredentials(context.env()).store(registry, username, secret);
            context.out().println("credentials for " + registry + " stored");
            return ExitCodes.OK;
        }
    }

    /** Forgets the stored credentials of a registry. */
    @Command(name = "logout", mixinStandardHelpOptions = true,
            description = "Remove the credentials stored for REGISTRY.")
    static final class Logout implements Callable<Integer> {
        private final CtlContext context;

        @Parameters(index = "0", paramLabel = "REGISTRY", description = "Registry HOST[:PORT].")
        String registry;

        Logout(CtlContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            checkedRegistry(registry);
            if (!new RegistryCredentials(context.env()).remove(registry)) {
                throw new CommandFailedException("no credentials stored for " + registry);
            }
            context.out().println("credentials for " + registry + " removed");
            return ExitCodes.OK;
        }
    }
}
