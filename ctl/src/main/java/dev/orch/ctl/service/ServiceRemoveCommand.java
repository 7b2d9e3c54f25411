package dev.orch.ctl.service;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.RemoveServiceRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code orchctl service rm SERVICE...}: prints each name as it is removed, like docker. */
@Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
        description = "Remove one or more services.")
final class ServiceRemoveCommand implements Callable<Integer> {
    private final CtlContext context;

    @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    List<String> services;

    ServiceRemoveCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (ManagerConnection connection = context.connect()) {
            return PerTarget.run(context.err(), services, name -> {
                connection.call(control -> control.removeService(
                        RemoveServiceRequest.newBuilder().setService(name).build()));
                context.out().println(name);
                context.out().flush();
            });
        }
    }
}
