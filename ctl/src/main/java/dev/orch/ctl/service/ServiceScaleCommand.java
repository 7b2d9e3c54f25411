package dev.orch.ctl.service;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.connect.RpcFailedException;
import dev.orch.ctl.parse.ScaleTarget;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.Service;
import dev.orch.proto.UpdateServiceRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl service scale SERVICE=N...}. A read-modify-write of the spec carrying the version
 * read, so a concurrent change is never overwritten; on a version conflict it re-reads and tries
 * once more, which is enough unless someone else is scaling the same service at the same moment.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Set the number of replicas of one or more services.")
final class ServiceScaleCommand implements Callable<Integer> {
    private final CtlContext context;

    @Parameters(arity = "1..*", paramLabel = "SERVICE=REPLICAS", description = "e.g. web=5")
    List<String> arguments;

    ServiceScaleCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<ScaleTarget> targets = ScaleTarget.parseAll(arguments);
        try (ManagerConnection connection = context.connect()) {
            return PerTarget.run(context.err(), targets, target -> {
                scale(connection, target);
                context.out().println(target.service() + " scaled to " + target.replicas());
                context.out().flush();
            });
        }
    }

    static Service scale(ManagerConnection connection, ScaleTarget target) {
        try {
            return scaleOnce(connection, target);
        } catch (RpcFailedException e) {
            if (!e.isVersionConflict()) {
                throw e;
            }
            return scaleOnce(connection, target);
        }
    }

    private static Service scaleOnce(ManagerConnection connection, ScaleTarget target) {
        Service current = connection.call(control -> control.getService(
                GetServiceRequest.newBuilder().setService(target.service()).build())).getService();
        UpdateServiceRequest update = UpdateServiceRequest.newBuilder()
                .setService(current.getMeta().getId())
                .setVersion(current.getMeta().getVersion())
                .setSpec(current.getSpec().toBuilder().setReplicas(target.replicas()))
                .build();
        return connection.call(control -> control.updateService(update)).getService();
    }
}
