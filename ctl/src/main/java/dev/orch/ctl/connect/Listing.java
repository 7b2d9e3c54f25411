package dev.orch.ctl.connect;

import dev.orch.proto.ControlGrpc;
import dev.orch.proto.ListNodesRequest;
import dev.orch.proto.ListNodesResponse;
import dev.orch.proto.ListServicesRequest;
import dev.orch.proto.ListServicesResponse;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.ListTasksResponse;
import dev.orch.proto.Node;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/** Whole lists from the paged list calls, one page (one bounded message) at a time. */
public final class Listing {
    /** Items per call: big answers stay far below the message limit on any cluster size. */
    static final int PAGE_SIZE = 1_000;

    private Listing() {}

    public static List<Service> services(ManagerConnection connection) {
        return all(connection, (control, token) -> control.listServices(ListServicesRequest.newBuilder()
                .setPageSize(PAGE_SIZE).setPageToken(token).build()),
                ListServicesResponse::getServicesList, ListServicesResponse::getNextPageToken);
    }

    /** @param filter a request naming a service or node, or the default instance for every task */
    public static List<Task> tasks(ManagerConnection connection, ListTasksRequest filter) {
        return all(connection, (control, token) -> control.listTasks(filter.toBuilder()
                .setPageSize(PAGE_SIZE).setPageToken(token).build()),
                ListTasksResponse::getTasksList, ListTasksResponse::getNextPageToken);
    }

    public static List<Node> nodes(ManagerConnection connection) {
        return all(connection, (control, token) -> control.listNodes(ListNodesRequest.newBuilder()
                .setPageSize(PAGE_SIZE).setPageToken(token).build()),
                ListNodesResponse::getNodesList, ListNodesResponse::getNextPageToken);
    }

    private static <R, T> List<T> all(ManagerConnection connection,
            BiFunction<ControlGrpc.ControlBlockingStub, String, R> call,
            Function<R, List<T>> items, Function<R, String> next) {
        List<T> all = new ArrayList<>();
        String token = "";
        do {
            String page = token;
            R response = connection.call(control -> call.apply(control, page));
            all.addAll(items.apply(response));
            token = next.apply(response);
        } while (!token.isEmpty());
        return all;
    }
}
