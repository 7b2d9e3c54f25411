package dev.orch.ctl.stack;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.Table;
import dev.orch.proto.Service;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code orchctl stack ls}: each stack with its number of services. */
@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List stacks.")
final class StackListCommand implements Callable<Integer> {
    private final CtlContext context;

    StackListCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (ManagerConnection connection = context.connect()) {
            Map<String, Integer> counts = new TreeMap<>();
            for (Service s : StackObjects.services(connection)) {
                String stack = s.getSpec().getLabelsMap().get(StackObjects.NAMESPACE_LABEL);
                if (stack != null) {
                    counts.merge(stack, 1, Integer::sum);
                }
            }
            Table table = new Table("NAME", "SERVICES");
            counts.forEach((name, n) -> table.row(name, String.valueOf(n)));
            table.print(context.out());
            return ExitCodes.OK;
        }
    }
}
