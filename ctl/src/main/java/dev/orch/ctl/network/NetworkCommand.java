package dev.orch.ctl.network;

import dev.orch.ctl.CommandGroup;
import picocli.CommandLine.Command;

/** Groups the network subcommands. */
@Command(name = "network", mixinStandardHelpOptions = true, description = "Manage networks.",
        subcommands = {NetworkCreateCommand.class, NetworkListCommand.class, NetworkInspectCommand.class,
            NetworkRemoveCommand.class})
public final class NetworkCommand extends CommandGroup {
}
