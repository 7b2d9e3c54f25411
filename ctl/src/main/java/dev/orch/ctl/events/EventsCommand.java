package dev.orch.ctl.events;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.proto.ClusterEvent;
import dev.orch.proto.WatchEventsRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code orchctl events [--filter KEY=VALUE]...}: streams cluster events until interrupted (or the
 * manager goes away), one line each as docker prints them: time, type, action, id and attributes.
 * Filters are checked by the manager, which knows the valid keys and values.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Stream cluster events (service, task and node changes) until interrupted.",
        footer = {"", "Filters: type=service|task|node, service=NAME, node=NAME, event=create|update|remove;"
                + " repeat a key for alternatives, e.g. --filter type=service --filter type=node."})
public final class EventsCommand implements Callable<Integer> {
    /** The stream runs until interrupted; the deadline only bounds a forgotten session. */
    static final Duration STREAM_DEADLINE = Duration.ofDays(365);

    private final CtlContext context;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Only events that match.")
    List<String> filters = new ArrayList<>();

    @Mixin
    FormatOption format;

    EventsCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean json = format.json();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        try (ManagerConnection connection = context.connect()) {
            connection.asyncStub(STREAM_DEADLINE).watchEvents(
                    WatchEventsRequest.newBuilder().addAllFilters(filters).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(ClusterEvent e) {
                            synchronized (context.out()) {
                                context.out().println(json ? EventLines.json(e) : EventLines.text(e));
                                context.out().flush();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            ended.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            ended.complete(null);
                        }
                    });
            try {
                ended.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.OK;
            } catch (ExecutionException e) {
                if (Status.fromThrowable(e.getCause()).getCode() == Status.Code.CANCELLED) {
                    return ExitCodes.OK;
                }
                throw connection.failure(e.getCause(), STREAM_DEADLINE);
            }
            return ExitCodes.OK;
        }
    }
}
