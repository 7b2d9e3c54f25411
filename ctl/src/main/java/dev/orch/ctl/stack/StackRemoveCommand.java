package dev.orch.ctl.stack;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.DeployStackResponse;
import dev.orch.proto.RemoveStackRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code orchctl stack rm STACK...}: each stack's services, secrets and configs in one transaction. */
@Command(name = "rm", aliases = {"remove", "down"}, mixinStandardHelpOptions = true,
        description = "Remove stacks: their services, secrets and configs, each stack at once.")
final class StackRemoveCommand implements Callable<Integer> {
    private final CtlContext context;

    @Parameters(arity = "1..*", paramLabel = "STACK", description = "Stack name.")
    List<String> stacks;

    StackRemoveCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (ManagerConnection connection = context.connect()) {
            return PerTarget.run(context.err(), stacks, stack -> {
                DeployStackResponse r = connection.call(c -> c.removeStack(
                        RemoveStackRequest.newBuilder().setName(stack).build()));
                StackChanges.print(context.out(), r.getChangesList(), false);
            });
        }
    }
}
