package dev.orch.ctl.stack;

import dev.orch.ctl.CommandGroup;
import picocli.CommandLine.Command;

/** Groups the stack subcommands. */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Deploy and manage stacks: services, secrets and configs from compose files.",
        subcommands = {StackDeployCommand.class, StackConfigCommand.class, StackListCommand.class,
            StackServicesCommand.class, StackTasksCommand.class, StackRemoveCommand.class})
public final class StackCommand extends CommandGroup {
}
