package dev.orch.ctl.node;

import dev.orch.ctl.CommandGroup;
import picocli.CommandLine.Command;

/** Groups the node subcommands. */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Manage nodes.",
        subcommands = {NodeListCommand.class, NodeInspectCommand.class, NodeUpdateCommand.class,
            NodeRemoveCommand.class, NodeRoleCommands.Promote.class, NodeRoleCommands.Demote.class})
public final class NodeCommand extends CommandGroup {
}
