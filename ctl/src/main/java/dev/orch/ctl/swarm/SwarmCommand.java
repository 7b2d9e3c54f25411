package dev.orch.ctl.swarm;

import dev.orch.ctl.CommandGroup;
import picocli.CommandLine.Command;

/** Groups the commands about the cluster as a whole. */
@Command(name = "swarm", mixinStandardHelpOptions = true,
        description = "Manage the cluster: join tokens and settings.",
        subcommands = {SwarmJoinTokenCommand.class, SwarmInspectCommand.class,
            SwarmUpdateCommand.class, SwarmBackupCommand.class})
public final class SwarmCommand extends CommandGroup {
}
