package dev.orch.ctl.service;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Node;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code orchctl service ps SERVICE...}: the tasks of services, with their history. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "List the tasks of one or more services.")
public final class ServiceTasksCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    @Option(names = "--no-trunc", description = "Do not shorten ids and error messages.")
    boolean noTrunc;

    @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    List<String> services;

    ServiceTasksCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean json = format.json();
        try (ManagerConnection connection = context.connect()) {
            List<Task> tasks = new ArrayList<>();
            List<Service> found = new ArrayList<>();
            // Resolve each name first so that a typo gets the manager's "not found", not an empty table.
            int exitCode = PerTarget.run(context.err(), services, name -> {
                Service service = connection.call(control -> control.getService(
                        GetServiceRequest.newBuilder().setService(name).build())).getService();
                found.add(service);
                tasks.addAll(dev.orch.ctl.connect.Listing.tasks(connection, ListTasksRequest
                        .newBuilder().setService(service.getMeta().getId()).build()));
            });
            if (json) {
                JsonOutput.printArray(context.out(), tasks.stream().sorted(TaskTable.order()).toList());
            } else if (exitCode == ExitCodes.OK || !tasks.isEmpty()) {
                TaskTable.build(tasks, nodeNames(connection), context.clock().instant(), noTrunc)
                        .print(context.out());
                UpdateStatusLine.print(context.out(), found, context.clock().instant());
            }
            return exitCode;
        }
    }

    /** Node id to hostname (the id when a node has none), for the NODE column. */
    public static Map<String, String> nodeNames(ManagerConnection connection) {
        return dev.orch.ctl.connect.Listing.nodes(connection).stream()
                .collect(Collectors.toMap(n -> n.getMeta().getId(), ServiceTasksCommand::hostname,
                        (a, b) -> a));
    }

    private static String hostname(Node node) {
        String hostname = node.getDescription().getHostname();
        return hostname.isEmpty() ? node.getMeta().getId() : hostname;
    }
}
