package dev.orch.ctl.service;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.Service;
import dev.orch.proto.UpdateServiceRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl service rollback SERVICE}: back to the spec before the latest update. The manager
 * swaps the specs (so a second rollback undoes the first) and rolls the change out with the
 * service's rollback settings; unless {@code -d} this follows it to the end.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Revert a service to its previous spec; unless -d, follow the rollback until it completes.")
final class ServiceRollbackCommand implements Callable<Integer> {
    private final CtlContext context;

    @Option(names = {"-d", "--detach"}, description = "Exit once the rollback is accepted, without following it.")
    boolean detach;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    String service;

    ServiceRollbackCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        return rollBack(context, service, detach);
    }

    static int rollBack(CtlContext context, String service, boolean detach) {
        try (ManagerConnection connection = context.connect()) {
            // Version 0: a rollback applies to whatever the current spec is, so it cannot conflict.
            Service rolled = connection.call(control -> control.updateService(UpdateServiceRequest.newBuilder()
                    .setService(service).setRollback(true).build())).getService();
            context.out().println(rolled.getSpec().getName());
            context.out().println("rollback: " + rolled.getUpdateStatus().getMessage());
            context.out().flush();
            if (detach) {
                return ExitCodes.OK;
            }
            ServiceProgress.forService(connection, context.clock(), rolled.getMeta().getId(), context.out())
                    .await(ServiceProgress.Goal.ROLLBACK, context.waitTimeout());
            return ExitCodes.OK;
        }
    }
}
