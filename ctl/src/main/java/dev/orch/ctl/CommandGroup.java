package dev.orch.ctl;

import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code orchctl service}, {@code orchctl node}). Run on
 * its own it is a usage error that lists what may follow.
 */
public abstract class CommandGroup implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new UsageException("\"" + spec.qualifiedName() + "\" needs a command: "
                + subcommandNames(spec) + " (see '" + spec.qualifiedName() + " --help')");
    }

    /** The subcommands' names without their aliases, in declaration order. */
    static String subcommandNames(CommandSpec spec) {
        return spec.subcommands().values().stream().map(CommandLine::getCommandName).distinct()
                .collect(Collectors.joining(", "));
    }
}
