package dev.orch.ctl.stack;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.service.ServiceTasksCommand;
import dev.orch.ctl.service.TaskTable;
import dev.orch.proto.Task;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code orchctl stack ps STACK}: the tasks of the stack's services. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List the tasks of a stack.")
final class StackTasksCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    @Option(names = "--no-trunc", description = "Do not shorten ids and error messages.")
    boolean noTrunc;

    @Parameters(index = "0", paramLabel = "STACK", description = "Stack name.")
    String stack;

    StackTasksCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean json = format.json();
        try (ManagerConnection connection = context.connect()) {
            List<Task> tasks = StackObjects.tasks(connection, StackObjects.services(connection, stack));
            if (json) {
                JsonOutput.printArray(context.out(), tasks);
            } else {
                TaskTable.build(tasks, ServiceTasksCommand.nodeNames(connection), context.clock().instant(), noTrunc)
                        .print(context.out());
            }
            return ExitCodes.OK;
        }
    }
}
