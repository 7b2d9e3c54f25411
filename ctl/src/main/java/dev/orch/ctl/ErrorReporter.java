package dev.orch.ctl;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place where failures become output: exactly one {@code error:} line on stderr that says
 * what is wrong and how to fix it, and an exit code. Users never see a stack trace; with
 * ORCH_DEBUG set, unexpected exceptions also print theirs, for bug reports.
 */
final class ErrorReporter implements CommandLine.IParameterExceptionHandler,
        CommandLine.IExecutionExceptionHandler {
    private final PrintWriter err;
    private final boolean debug;

    ErrorReporter(PrintWriter err, boolean debug) {
        this.err = err;
        this.debug = debug;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        return report(describeParseFailure(ex), ExitCodes.USAGE);
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        if (ex instanceof ParameterException parameterException) {
            return handleParseException(parameterException, null);
        }
        if (ex instanceof UsageException) {
            return report(ex.getMessage(), ExitCodes.USAGE);
        }
        if (ex instanceof CommandFailedException) {
            return report(ex.getMessage(), ExitCodes.FAILURE);
        }
        // A bug in orchctl: still one line, but say so and how to get the details.
        if (debug) {
            ex.printStackTrace(err);
        }
        return report("internal error in orchctl: " + ex
                + (debug ? "" : " (set ORCH_DEBUG=1 to print the stack trace)"), ExitCodes.FAILURE);
    }

    private int report(String message, int exitCode) {
        err.println("error: " + oneLine(message));
        err.flush();
        return exitCode;
    }

    static String oneLine(String message) {
        String text = message == null ? "unknown failure" : message.strip();
        return text.replaceAll("\\s*\\R\\s*", "; ");
    }

    static String describeParseFailure(ParameterException ex) {
        CommandSpec spec = ex.getCommandLine().getCommandSpec();
        String name = spec.qualifiedName();
        String help = " (see '" + name + " --help')";
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            return describeUnmatched(spec, unmatched.getUnmatched(), help);
        }
        if (ex instanceof CommandLine.MissingParameterException missing
                && !missing.getMissing().isEmpty()) {
            String what = missing.getMissing().stream().map(ErrorReporter::label)
                    .collect(Collectors.joining(", "));
            return "\"" + name + "\" needs " + what + help;
        }
        return lowerFirst(firstLine(ex.getMessage())) + help;
    }

    private static String describeUnmatched(CommandSpec spec, List<String> unmatched, String help) {
        String first = unmatched.get(0);
        String name = spec.qualifiedName();
        if (first.startsWith("-")) {
            return "unknown option \"" + first + "\" for \"" + name + "\"" + help;
        }
        if (!spec.subcommands().isEmpty()) {
            return "unknown command \"" + first + "\" for \"" + name + "\"; use one of: "
                    + CommandGroup.subcommandNames(spec) + help;
        }
        return "unexpected argument \"" + first + "\" for \"" + name + "\"" + help;
    }

    private static String label(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            return option.longestName() + " " + option.paramLabel();
        }
        return arg.paramLabel();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid command line";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    private static String lowerFirst(String text) {
        if (text.isEmpty()) {
            return text;
        }
        return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
}
