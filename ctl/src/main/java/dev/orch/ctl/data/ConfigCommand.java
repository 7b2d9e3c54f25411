package dev.orch.ctl.data;

import dev.orch.ctl.CommandGroup;
import dev.orch.ctl.CtlContext;
import picocli.CommandLine.Command;

/** {@code orchctl config}: create, ls, inspect and rm. Inspect never shows the data. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Manage configs.",
        subcommands = {ConfigCommand.Create.class, ConfigCommand.List.class, ConfigCommand.Inspect.class,
            ConfigCommand.Remove.class})
public final class ConfigCommand extends CommandGroup {
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a config from a file or standard input (at most 500 KiB).")
    static final class Create extends DataCommands.Create {
        Create(CtlContext context) {
            super(context, DataKindClient.CONFIG);
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List configs.")
    static final class List extends DataCommands.List_ {
        List(CtlContext context) {
            super(context, DataKindClient.CONFIG);
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show configs as JSON, without their data.")
    static final class Inspect extends DataCommands.Inspect {
        Inspect(CtlContext context) {
            super(context, DataKindClient.CONFIG);
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = "Remove configs; refused while a service uses one.")
    static final class Remove extends DataCommands.Remove {
        Remove(CtlContext context) {
            super(context, DataKindClient.CONFIG);
        }
    }
}
