package dev.orch.ctl.data;

import dev.orch.ctl.CommandGroup;
import dev.orch.ctl.CtlContext;
import picocli.CommandLine.Command;

/** {@code orchctl secret}: create, ls, inspect and rm. Inspect never shows the data. */
@Command(name = "secret", mixinStandardHelpOptions = true, description = "Manage secrets.",
        subcommands = {SecretCommand.Create.class, SecretCommand.List.class, SecretCommand.Inspect.class,
            SecretCommand.Remove.class})
public final class SecretCommand extends CommandGroup {
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a secret from a file or standard input (at most 500 KiB).")
    static final class Create extends DataCommands.Create {
        Create(CtlContext context) {
            super(context, DataKindClient.SECRET);
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List secrets.")
    static final class List extends DataCommands.List_ {
        List(CtlContext context) {
            super(context, DataKindClient.SECRET);
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show secrets as JSON, without their data.")
    static final class Inspect extends DataCommands.Inspect {
        Inspect(CtlContext context) {
            super(context, DataKindClient.SECRET);
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = "Remove secrets; refused while a service uses one.")
    static final class Remove extends DataCommands.Remove {
        Remove(CtlContext context) {
            super(context, DataKindClient.SECRET);
        }
    }
}
