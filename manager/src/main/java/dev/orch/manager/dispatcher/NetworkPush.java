package dev.orch.manager.dispatcher;

import dev.orch.manager.network.NetworkViews;
import dev.orch.proto.NetworkState;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps every node's view of its networks current: store changes that concern a network (an
 * endpoint placed, started or ended, a service's VIP or ports, the network itself, a node's
 * address) go into the {@link NetworkViews} index and mark the network dirty; a short debounce
 * later its view is built from the index and sent to the nodes that need it, and taken back from
 * those that no longer do. A network that no node needs or holds is not even built (ingress,
 * until a service publishes a port: then joining nodes cost nothing here).
 *
 * <p>Flushes are spaced by a multiple of what the last one cost: a burst of small changes goes
 * out within {@link #DEBOUNCE_MS}, while views so large that building and sending them takes long
 * (the ingress view of thousands of nodes, each joining) are coalesced into fewer, later pushes,
 * so that the push never takes more than about a fifth of a core.
 */
final class NetworkPush implements AutoCloseable {
  /** Coalesces a burst (a service's tasks starting together) into one message per node. */
  private static final long DEBOUNCE_MS = 20;
  /** The pause after a flush, as a multiple of its duration. */
  private static final int SPACING = 4;
  private static final long MAX_SPACING_MS = 2_000;

  private final Store store;
  private final Map<String, AssignmentStream> streams;
  private final NetworkViews views = new NetworkViews();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "dispatcher-networks");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> dirty = new HashSet<>();
  private boolean scheduled;
  /** Guarded by {@code this}: how long to wait before the next flush. */
  private long delayMs = DEBOUNCE_MS;

  NetworkPush(Store store, Map<String, AssignmentStream> streams) {
    this.store = store;
    this.streams = streams;
  }

  /** Fills the index from the store; call once the watch that feeds {@link #route} is registered. */
  void load() {
    store.read(v -> {
      views.load(v);
      return null;
    });
  }

  /** Apply thread: records the change and marks the networks it concerns; never reads the store. */
  void route(WatchEvent e) {
    NetworkViews.Changed changed = views.apply(e);
    if (!changed.networkIds().isEmpty()) {
      mark(changed.networkIds());
    }
  }

  private synchronized void mark(Set<String> ids) {
    dirty.addAll(ids);
    schedule();
  }

  private void schedule() {
    if (scheduled || dirty.isEmpty()) {
      return;
    }
    scheduled = true;
    try {
      timer.schedule(this::flush, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      scheduled = false; // closed
    }
  }

  private void flush() {
    long started = System.nanoTime();
    Set<String> ids;
    synchronized (this) {
      ids = new HashSet<>(dirty);
      dirty.clear();
      scheduled = false;
    }
    for (String id : ids) {
      push(id);
    }
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    synchronized (this) {
      delayMs = Math.max(DEBOUNCE_MS, Math.min(MAX_SPACING_MS, SPACING * tookMs));
      schedule();
    }
  }

  /** Sends network {@code id}'s view to the nodes that need it and takes it back from the others. */
  private void push(String id) {
    Set<String> needs = views.nodesNeeding(id);
    List<AssignmentStream> holders = new ArrayList<>();
    for (AssignmentStream s : streams.values()) {
      if (needs.contains(s.nodeId()) || s.holds(id)) {
        holders.add(s);
      }
    }
    if (holders.isEmpty()) {
      return;
    }
    NetworkViews.View view = views.of(List.of(id)).get(id);
    for (AssignmentStream s : holders) {
      if (view.nodes().contains(s.nodeId())) {
        s.network(view.state());
      } else {
        s.dropNetwork(id);
      }
    }
  }

  /** The views of every network {@code nodeId} takes part in, for the complete set of its stream. */
  List<NetworkState> complete(String nodeId) {
    List<NetworkState> out = new ArrayList<>();
    for (NetworkViews.View view : views.of(views.networksOf(nodeId)).values()) {
      if (view.state() != null) {
        out.add(view.state());
      }
    }
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
