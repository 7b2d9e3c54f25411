package dev.orch.ctl.output;

import dev.orch.ctl.UsageException;
import picocli.CommandLine.Option;

/** The {@code --format table|json} option shared by every list and inspect command. */
public final class FormatOption {
    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Output format: table (default for lists) or json.")
    String format;

    /** Whether JSON was asked for; any value other than table or json is a usage error. */
    public boolean json() {
        if (format == null || format.equalsIgnoreCase("table")) {
            return false;
        }
        if (format.equalsIgnoreCase("json")) {
            return true;
        }
        throw new UsageException("invalid --format \"" + format + "\": use table or json");
    }

    /** For inspect, which only prints JSON: accepts no value or json. */
    public void requireJson() {
        if (format != null && !format.equalsIgnoreCase("json")) {
            throw new UsageException("invalid --format \"" + format
                    + "\": inspect prints json only; use --format json or leave it out");
        }
    }
}
