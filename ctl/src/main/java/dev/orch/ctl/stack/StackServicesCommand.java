package dev.orch.ctl.stack;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.service.ServiceListCommand;
import dev.orch.proto.Service;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code orchctl stack services STACK}: the stack's services, as service ls shows them. */
@Command(name = "services", mixinStandardHelpOptions = true, description = "List the services of a stack.")
final class StackServicesCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    @Parameters(index = "0", paramLabel = "STACK", description = "Stack name.")
    String stack;

    StackServicesCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean json = format.json();
        try (ManagerConnection connection = context.connect()) {
            List<Service> services = StackObjects.services(connection, stack).stream()
                    .sorted(Comparator.comparing(s -> s.getSpec().getName())).toList();
            if (json) {
                JsonOutput.printArray(context.out(), services);
            } else {
                ServiceListCommand.table(services, StackObjects.tasks(connection, services)).print(context.out());
            }
            return ExitCodes.OK;
        }
    }
}
