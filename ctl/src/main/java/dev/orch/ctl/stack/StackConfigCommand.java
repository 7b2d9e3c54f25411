package dev.orch.ctl.stack;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.compose.ComposeProject;
import dev.orch.ctl.compose.ComposeWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code orchctl stack config -c FILE...}: the merged, interpolated files, without a manager. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print the compose files merged and with variables substituted.")
final class StackConfigCommand implements Callable<Integer> {
    private final CtlContext context;

    @Option(names = {"-c", "--compose-file"}, paramLabel = "FILE", required = true,
            description = "Compose file; repeat to merge several (later ones override).")
    List<Path> files;

    StackConfigCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ComposeProject project = ComposeProject.load(files, context.env());
        project.warnings().forEach(w -> context.err().println("warning: " + w));
        context.err().flush();
        context.out().print(ComposeWriter.write(project.root()));
        context.out().flush();
        return ExitCodes.OK;
    }
}
