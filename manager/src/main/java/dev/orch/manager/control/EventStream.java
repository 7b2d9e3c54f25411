package dev.orch.manager.control;

import dev.orch.proto.ActionType;
import dev.orch.proto.ClusterEvent;
import dev.orch.proto.Node;
import dev.orch.proto.Service;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;
import dev.orch.proto.WatchEvent;
import dev.orch.proto.WatchEventsRequest;
import dev.orch.store.Store;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code WatchEvents}: the store's committed changes to services, tasks and nodes as cluster
 * events, filtered per subscriber. Works on any manager, since every member applies the same log.
 *
 * <p>The store's apply thread only appends to each subscriber's bounded buffer; a shared sender
 * thread writes to the streams as they have room. A subscriber that falls {@value #MAX_BUFFERED}
 * events behind is ended with RESOURCE_EXHAUSTED rather than buffered without bound.
 */
final class EventStream {
  static final int MAX_BUFFERED = 10_000;

  private final Store store;
  private final Clock clock;
  private final Map<Subscriber, Boolean> subscribers = new ConcurrentHashMap<>();
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "event-stream-sender");
    t.setDaemon(true);
    return t;
  });

  EventStream(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
    // Registered once for all subscribers; this object lives as long as the Control API.
    store.watch(this::publish);
  }

  void subscribe(WatchEventsRequest req, StreamObserver<ClusterEvent> out) {
    EventFilter filter = EventFilter.parse(req.getFiltersList());
    var call = (ServerCallStreamObserver<ClusterEvent>) out;
    Subscriber s = new Subscriber(filter, call);
    call.setOnCancelHandler(() -> subscribers.remove(s));
    call.setOnReadyHandler(() -> sender.execute(s::drain));
    subscribers.put(s, Boolean.TRUE);
  }

  /** Apply thread: converts once and hands each subscriber its share. */
  private void publish(List<WatchEvent> events) {
    if (subscribers.isEmpty()) {
      return;
    }
    long now = clock.millis();
    for (WatchEvent e : events) {
      ClusterEvent ce = convert(e, now);
      if (ce != null) {
        subscribers.keySet().forEach(s -> s.offer(ce));
      }
    }
    subscribers.keySet().forEach(s -> sender.execute(s::drain));
  }

  static ClusterEvent convert(WatchEvent e, long now) {
    StoredObject o = e.getObject();
    ClusterEvent.Builder b = ClusterEvent.newBuilder().setTimeMs(now).setIndex(e.getIndex())
        .setAction(e.getType() == ActionType.CREATE ? "create" : e.getType() == ActionType.DELETE ? "remove" : "update");
    switch (o.getObjectCase()) {
      case SERVICE -> {
        Service s = o.getService();
        b.setType("service").setId(s.getMeta().getId()).putAttributes("name", s.getSpec().getName());
        if (s.hasUpdateStatus()) {
          b.putAttributes("updatestate", lower(s.getUpdateStatus().getState().name()));
        }
      }
      case TASK -> {
        Task t = o.getTask();
        b.setType("task").setId(t.getMeta().getId())
            .putAttributes("name", t.getServiceName() + "." + (t.getGlobalNodeId().isEmpty() ? t.getSlot() : t.getGlobalNodeId()))
            .putAttributes("service", t.getServiceName()).putAttributes("service.id", t.getServiceId())
            .putAttributes("state", lower(t.getStatus().getState().name()))
            .putAttributes("desired", lower(t.getDesiredState().name()));
        if (!t.getNodeId().isEmpty()) {
          b.putAttributes("node.id", t.getNodeId());
        }
        if (!t.getStatus().getErr().isEmpty()) {
          b.putAttributes("err", t.getStatus().getErr());
        }
      }
      case NODE -> {
        Node n = o.getNode();
        b.setType("node").setId(n.getMeta().getId())
            .putAttributes("name", n.getDescription().getHostname())
            .putAttributes("state", lower(n.getStatus().getState().name().replace("NODE_", "")))
            .putAttributes("availability", lower(n.getSpec().getAvailability().name()));
      }
      default -> {
        return null;
      }
    }
    return b.build();
  }

  private static String lower(String enumName) {
    return enumName.toLowerCase(Locale.ROOT);
  }

  /** One stream: a bounded buffer drained only by the sender thread. */
  private final class Subscriber {
    private final EventFilter filter;
    private final ServerCallStreamObserver<ClusterEvent> call;
    private final ArrayDeque<ClusterEvent> buffer = new ArrayDeque<>();
    private boolean overflowed;
    private boolean ended;

    Subscriber(EventFilter filter, ServerCallStreamObserver<ClusterEvent> call) {
      this.filter = filter;
      this.call = call;
    }

    synchronized void offer(ClusterEvent e) {
      if (ended || !filter.matches(e)) {
        return;
      }
      if (buffer.size() >= MAX_BUFFERED) {
        overflowed = true;
        return;
      }
      buffer.add(e);
    }

    /** Sender thread only. */
    void drain() {
      while (true) {
        ClusterEvent next;
        synchronized (this) {
          if (ended) {
            return;
          }
          if (overflowed) {
            ended = true;
            subscribers.remove(this);
            call.onError(Status.RESOURCE_EXHAUSTED.withDescription("the event stream fell more than "
                + MAX_BUFFERED + " events behind; reconnect to go on").asRuntimeException());
            return;
          }
          if (buffer.isEmpty() || !call.isReady()) {
            return; // the on-ready handler resumes
          }
          next = buffer.poll();
        }
        try {
          call.onNext(next);
        } catch (RuntimeException e) {
          synchronized (this) {
            ended = true; // cancelled meanwhile
          }
          subscribers.remove(this);
          return;
        }
      }
    }
  }
}
