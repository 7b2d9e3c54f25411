package dev.orch.manager.dispatcher;

import dev.orch.manager.network.NetworkViews;
import dev.orch.proto.ActionType;
import dev.orch.proto.NetworkState;
import dev.orch.proto.Service;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every node's view of its networks current: store changes that concern a network (an
 * endpoint placed, started or ended, a service's VIP or ports, the network itself, a node's
 * address) mark it dirty; a short debounce later its {@link NetworkViews.View} is recomputed from
 * committed state and sent to the nodes that need it, and taken back from those that no longer
 * do. Level-triggered like the controllers: the view is always recomputed, never patched.
 */
final class NetworkPush implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkPush.class);
  /** Coalesces a burst (a service's tasks starting together) into one message per node. */
  private static final long DEBOUNCE_MS = 20;

  private final Store store;
  private final Map<String, AssignmentStream> streams;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "dispatcher-networks");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> dirty = new HashSet<>();
  private final Map<String, String> nodeAddrs = new HashMap<>();
  private boolean ingressDirty;
  private boolean allDirty;
  private boolean scheduled;

  NetworkPush(Store store, Map<String, AssignmentStream> streams) {
    this.store = store;
    this.streams = streams;
  }

  /**
   * Apply thread: marks the networks an event concerns. Never reads the store, and takes no lock
   * for the events that concern no network (most task changes of a cluster without networks).
   */
  void route(WatchEvent e) {
    StoredObject o = e.getObject();
    switch (o.getObjectCase()) {
      case TASK -> {
        Task t = o.getTask();
        if (t.getNetworksCount() > 0 && !t.getNodeId().isEmpty()) {
          mark(t.getNetworksList().stream().map(a -> a.getNetworkId()).toList(), false);
        }
      }
      case SERVICE -> {
        Service s = o.getService();
        List<String> ids = new ArrayList<>();
        s.getSpec().getNetworksList().forEach(c -> ids.add(c.getTarget()));
        s.getEndpoint().getVipsList().forEach(v -> ids.add(v.getNetworkId()));
        boolean ports = s.getEndpoint().getPortsCount() > 0 || s.getSpec().getEndpoint().getPortsCount() > 0;
        if (!ids.isEmpty() || ports) {
          mark(ids, ports);
        }
      }
      case NETWORK -> mark(List.of(o.getNetwork().getMeta().getId()), false);
      case NODE -> {
        nodeAddress(o.getNode().getMeta().getId(),
            e.getType() == ActionType.DELETE ? "" : o.getNode().getStatus().getAddr());
        if (!o.getNode().getIngressAddr().isEmpty()) {
          mark(List.of(), true); // a node's own ingress address, or a node gone or back
        }
      }
      default -> { }
    }
  }

  private synchronized void mark(List<String> ids, boolean ingress) {
    dirty.addAll(ids);
    ingressDirty |= ingress;
    schedule();
  }

  /** A node that moved: its peers' VXLAN entries must follow, on every network. */
  private synchronized void nodeAddress(String nodeId, String addr) {
    String was = nodeAddrs.put(nodeId, addr);
    if (was != null && !was.equals(addr)) {
      allDirty = true;
      schedule();
    }
  }

  private void schedule() {
    if (scheduled || (dirty.isEmpty() && !ingressDirty && !allDirty)) {
      return;
    }
    scheduled = true;
    try {
      timer.schedule(this::flush, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      scheduled = false; // closed
    }
  }

  private void flush() {
    Set<String> ids;
    boolean ingress;
    boolean all;
    synchronized (this) {
      ids = new HashSet<>(dirty);
      ingress = ingressDirty;
      all = allDirty;
      dirty.clear();
      ingressDirty = false;
      allDirty = false;
      scheduled = false;
    }
    try {
      Map<String, NetworkViews.View> views = store.read(v -> {
        if (ingress) {
          dev.orch.manager.network.Networks.ingress(v).ifPresent(n -> ids.add(n.getMeta().getId()));
        }
        if (all) {
          v.networks().forEach(n -> ids.add(n.getMeta().getId()));
        }
        return NetworkViews.of(v, ids);
      });
      for (AssignmentStream s : streams.values()) {
        for (NetworkViews.View view : views.values()) {
          if (view.nodes().contains(s.nodeId())) {
            s.network(view.state());
          } else {
            s.dropNetwork(view.networkId());
          }
        }
      }
    } catch (RuntimeException e) {
      // Not dropped: the same networks are marked again and retried after the debounce.
      LOG.info("network views not pushed, retrying: {}", e.toString());
      synchronized (this) {
        dirty.addAll(ids);
        ingressDirty |= ingress;
        allDirty |= all;
        timer.schedule(this::retry, 500, TimeUnit.MILLISECONDS);
      }
    }
  }

  private synchronized void retry() {
    schedule();
  }

  /** The views of every network {@code nodeId} takes part in, for the complete set of its stream. */
  List<NetworkState> complete(String nodeId) {
    return store.read(v -> {
      List<NetworkState> out = new ArrayList<>();
      for (NetworkViews.View view : NetworkViews.of(v, NetworkViews.networksOf(v, nodeId)).values()) {
        if (view.state() != null) {
          out.add(view.state());
        }
      }
      return out;
    });
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
