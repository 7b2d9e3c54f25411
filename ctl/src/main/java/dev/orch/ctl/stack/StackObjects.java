package dev.orch.ctl.stack;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.ListServicesRequest;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Finds a stack's objects by the namespace label every stack object carries. */
final class StackObjects {
    static final String NAMESPACE_LABEL = "com.docker.stack.namespace";

    private StackObjects() {
    }

    static List<Service> services(ManagerConnection connection) {
        return connection.call(c -> c.listServices(ListServicesRequest.getDefaultInstance())).getServicesList();
    }

    /** The stack's services; a stack with none is an error naming the fix. */
    static List<Service> services(ManagerConnection connection, String stack) {
        List<Service> services = services(connection).stream()
                .filter(s -> stack.equals(s.getSpec().getLabelsMap().get(NAMESPACE_LABEL))).toList();
        if (services.isEmpty()) {
            throw new CommandFailedException("nothing found in stack: " + stack + "; see orchctl stack ls");
        }
        return services;
    }

    static List<Task> tasks(ManagerConnection connection, List<Service> services) {
        Set<String> ids = services.stream().map(s -> s.getMeta().getId()).collect(Collectors.toSet());
        return connection.call(c -> c.listTasks(ListTasksRequest.getDefaultInstance())).getTasksList().stream()
                .filter(t -> ids.contains(t.getServiceId())).toList();
    }
}
