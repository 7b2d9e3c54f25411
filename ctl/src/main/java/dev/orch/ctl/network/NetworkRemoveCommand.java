package dev.orch.ctl.network;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.RemoveNetworkRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code orchctl network rm NETWORK...}: refused (with who uses it) while a service or task does. */
@Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
        description = "Remove one or more networks that nothing uses.")
final class NetworkRemoveCommand implements Callable<Integer> {
    private final CtlContext context;

    @Parameters(arity = "1..*", paramLabel = "NETWORK", description = "Network id, id prefix or name.")
    List<String> networks;

    NetworkRemoveCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (ManagerConnection connection = context.connect()) {
            return PerTarget.run(context.err(), networks, name -> {
                connection.call(control -> control.removeNetwork(
                        RemoveNetworkRequest.newBuilder().setNetwork(name).build()));
                context.out().println(name);
                context.out().flush();
            });
        }
    }
}
