package dev.orch.ctl.node;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.proto.GetNodeRequest;
import dev.orch.proto.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code orchctl node inspect NODE...}: the nodes as a JSON array, like docker's. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show nodes in detail, as JSON.")
final class NodeInspectCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    @Parameters(arity = "1..*", paramLabel = "NODE", description = "Node id, id prefix or hostname.")
    List<String> nodes;

    NodeInspectCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        format.requireJson();
        try (ManagerConnection connection = context.connect()) {
            List<Node> found = new ArrayList<>();
            int exitCode = PerTarget.run(context.err(), nodes, name -> found.add(
                    connection.call(control -> control.getNode(GetNodeRequest.newBuilder()
                            .setNode(name).build())).getNode()));
            // Like docker inspect: what was found is printed even when some names were not.
            JsonOutput.printArray(context.out(), found);
            return exitCode;
        }
    }
}
