package dev.orch.ctl.stack;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.compose.ComposeProject;
import dev.orch.ctl.compose.StackConverter;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.DeployStackRequest;
import dev.orch.proto.DeployStackResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl stack deploy -c FILE... STACK}: converts the files here, then sends the whole
 * stack in one call; the manager validates all of it and applies it in one transaction.
 */
@Command(name = "deploy", aliases = "up", mixinStandardHelpOptions = true,
        description = "Create or update a stack from compose files, all at once or not at all.")
final class StackDeployCommand implements Callable<Integer> {
    private final CtlContext context;

    @Option(names = {"-c", "--compose-file"}, paramLabel = "FILE", required = true,
            description = "Compose file; repeat to merge several (later ones override).")
    List<Path> files;

    @Option(names = "--prune", description = "Remove the stack's services, secrets and configs the files no "
            + "longer name.")
    boolean prune;

    @Option(names = "--dry-run", description = "Validate and print what would change, changing nothing.")
    boolean dryRun;

    @Parameters(index = "0", paramLabel = "STACK", description = "Stack name (objects are named STACK_name).")
    String stack;

    StackDeployCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ComposeProject project = ComposeProject.load(files, context.env());
        try (ManagerConnection connection = context.connect()) {
            StackConverter.Result converted = StackConverter.convert(project, stack, context.env());
            converted.warnings().forEach(w -> context.err().println("warning: " + w));
            context.err().flush();
            DeployStackRequest request = converted.request().toBuilder().setPrune(prune).setDryRun(dryRun).build();
            DeployStackResponse response = connection.call(c -> c.deployStack(request));
            StackChanges.print(context.out(), response.getChangesList(), dryRun);
            return ExitCodes.OK;
        }
    }
}
