package dev.orch.ctl.service;

import dev.orch.ctl.CommandGroup;
import picocli.CommandLine.Command;

/** Groups the service subcommands. */
@Command(name = "service", mixinStandardHelpOptions = true, description = "Manage services.",
        subcommands = {ServiceCreateCommand.class, ServiceListCommand.class,
            ServiceTasksCommand.class, ServiceInspectCommand.class, ServiceScaleCommand.class,
            ServiceRemoveCommand.class, ServiceUpdateCommand.class, ServiceRollbackCommand.class,
            ServiceLogsCommand.class})
public final class ServiceCommand extends CommandGroup {
}
