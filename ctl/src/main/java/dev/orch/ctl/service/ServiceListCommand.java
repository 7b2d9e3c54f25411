package dev.orch.ctl.service;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.DisplayNames;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.output.Table;
import dev.orch.proto.ListServicesRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code orchctl service ls}: one row per service with running/desired replicas. */
@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
        description = "List services.")
public final class ServiceListCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    ServiceListCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean json = format.json();
        try (ManagerConnection connection = context.connect()) {
            List<Service> services = dev.orch.ctl.connect.Listing.services(connection).stream().sorted(Comparator.comparing(s -> s.getSpec().getName())).toList();
            if (json) {
                JsonOutput.printArray(context.out(), services);
                return ExitCodes.OK;
            }
            // One call for all tasks instead of one per service: ls must stay fast on big clusters.
            List<Task> tasks = dev.orch.ctl.connect.Listing.tasks(connection,
                    ListTasksRequest.getDefaultInstance());
            table(services, tasks).print(context.out());
            return ExitCodes.OK;
        }
    }

    public static Table table(List<Service> services, List<Task> tasks) {
        Map<String, Long> running = tasks.stream()
                .filter(t -> t.getDesiredState() == TaskState.RUNNING
                        && t.getStatus().getState() == TaskState.RUNNING)
                .collect(Collectors.groupingBy(Task::getServiceId, Collectors.counting()));
        Table table = new Table("ID", "NAME", "MODE", "REPLICAS", "IMAGE");
        for (Service service : services) {
            String id = service.getMeta().getId();
            table.row(DisplayNames.shortId(id), service.getSpec().getName(),
                    dev.orch.ctl.parse.LifecycleValues.modeName(service.getSpec().getMode()),
                    UpdateStatusLine.replicas(service, running.getOrDefault(id, 0L)),
                    service.getSpec().getContainer().getImage());
        }
        return table;
    }
}
