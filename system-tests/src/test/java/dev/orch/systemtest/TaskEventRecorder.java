package dev.orch.systemtest;

import dev.orch.proto.ClusterEvent;
import dev.orch.proto.WatchEventsRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Follows one service's task events from the Control API's WatchEvents and keeps, after every
 * committed change, how many of its tasks were live (created and not yet ended) and how many were
 * running: what "never more than 2 at once" and "never fewer than 3 running" are checked against.
 */
final class TaskEventRecorder implements AutoCloseable {
  private static final Set<String> ENDED = Set.of("complete", "shutdown", "failed", "rejected", "orphaned", "remove");

  private final Context.CancellableContext context = Context.current().withCancellation();
  private final Map<String, String> states = new HashMap<>();
  private int maxLive;
  private int minRunning = Integer.MAX_VALUE;
  private int completed;
  private boolean sawRunning;

  TaskEventRecorder(SingleNode orch, String service) {
    WatchEventsRequest req = WatchEventsRequest.newBuilder().addFilters("type=task")
        .addFilters("service=" + service).build();
    context.run(() -> orch.asyncControl().watchEvents(req, new StreamObserver<>() {
      @Override
      public void onNext(ClusterEvent e) {
        record(e);
      }

      @Override
      public void onError(Throwable t) {
      }

      @Override
      public void onCompleted() {
      }
    }));
  }

  private synchronized void record(ClusterEvent e) {
    String state = e.getAction().equals("remove") ? "remove" : e.getAttributesOrDefault("state", "");
    String before = states.put(e.getId(), state);
    if (state.equals("complete") && !"complete".equals(before)) {
      completed++;
    }
    int live = 0;
    int running = 0;
    for (String s : states.values()) {
      live += ENDED.contains(s) ? 0 : 1;
      running += s.equals("running") ? 1 : 0;
    }
    maxLive = Math.max(maxLive, live);
    if (sawRunning) {
      minRunning = Math.min(minRunning, running);
    }
    sawRunning |= running > 0;
  }

  /** Starts counting running tasks from now (once the service is up). */
  synchronized void resetRunning() {
    minRunning = Integer.MAX_VALUE;
  }

  /** Tasks running after the latest change seen. */
  synchronized int runningNow() {
    return (int) states.values().stream().filter("running"::equals).count();
  }

  synchronized int maxLive() {
    return maxLive;
  }

  synchronized int minRunning() {
    return minRunning;
  }

  synchronized int completed() {
    return completed;
  }

  @Override
  public void close() {
    context.cancel(null);
  }
}
