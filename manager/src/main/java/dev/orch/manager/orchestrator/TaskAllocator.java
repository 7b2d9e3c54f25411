package dev.orch.manager.orchestrator;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.network.NetworkAllocator;
import dev.orch.manager.network.Networks;
import dev.orch.net.IpamException;
import dev.orch.proto.Endpoint;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkAttachment;
import dev.orch.proto.Service;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import java.time.Clock;
import dev.orch.proto.ActionType;
import dev.orch.proto.StoredObject;
import dev.orch.proto.WatchEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocates what networking needs and moves new tasks to PENDING: subnets and VXLAN ids of new
 * networks, VIPs and published ports of services, an endpoint address per network of each new
 * task. A task waits in NEW while one of its networks has no subnet yet.
 *
 * <p>The address book ({@link NetworkAllocator}) is rebuilt from the store when this controller
 * starts (each leadership term) and after any refused or failed commit, so it never holds an
 * allocation the store does not record, and what ended objects held is returned on every pass.
 */
public final class TaskAllocator implements WorkQueue.Reconciler<String> {
  public static final String ALL = "all";
  private static final Logger LOG = LoggerFactory.getLogger(TaskAllocator.class);

  private final StoreWriter writer;
  private final Clock clock;
  private final NetworkAllocator book = new NetworkAllocator();
  private boolean built;
  /**
   * Nodes changed and tasks with endpoints that ended, since the last pass, from the store's
   * watch ({@link #observe}): a pass looks at these instead of every node and task of the cluster,
   * which made each joining node cost a pass over all the others. A full pass still runs after a
   * rebuild and on every resync ({@link #fullPassNext}).
   */
  private final Set<String> changedNodes = ConcurrentHashMap.newKeySet();
  private final Set<String> endedTasks = ConcurrentHashMap.newKeySet();
  private volatile boolean fullPass = true;

  public TaskAllocator(StoreWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  /** Store apply thread: notes the nodes and ended tasks the next pass must look at. */
  public void observe(WatchEvent e) {
    StoredObject o = e.getObject();
    if (o.hasNode()) {
      changedNodes.add(o.getNode().getMeta().getId());
    } else if (o.hasTask() && o.getTask().getNetworksCount() > 0
        && (e.getType() == ActionType.DELETE || TaskStates.finished(o.getTask()))) {
      endedTasks.add(o.getTask().getMeta().getId());
    }
  }

  /** The next pass reads every node and task (the periodic resync), in case an event was missed. */
  public void fullPassNext() {
    fullPass = true;
  }

  @Override
  public void reconcile(String ignored) throws IpamException {
    // Taken before reading, so that a change during the pass is looked at again by the next one.
    boolean full = fullPass || !built;
    fullPass = false;
    Set<String> nodes = drain(changedNodes);
    Set<String> ended = drain(endedTasks);
    if (!built) {
      writer.store().read(v -> {
        book.rebuild(v);
        return null;
      });
      built = true;
    }
    try {
      allocateNetworks(full ? null : ended, full ? null : nodes);
      // A full ingress subnet leaves some nodes without a routing-mesh address; that must not stop
      // every task of the cluster from being allocated, so the pass goes on and fails at the end.
      IpamException ingressFull = allocateNodes(full ? null : nodes);
      allocateServices();
      allocateTasks();
      if (ingressFull != null) {
        throw ingressFull;
      }
    } catch (IpamException | RuntimeException e) {
      built = false; // whatever was decided but not committed is forgotten by the rebuild
      throw e;
    }
  }

  private static Set<String> drain(Set<String> changed) {
    Set<String> taken = new HashSet<>(changed);
    changed.removeAll(taken);
    return taken;
  }

  /** The address book, for tests that check nothing leaked. */
  public NetworkAllocator book() {
    return book;
  }

  /** @param ended, nodes what changed since the last pass, or null to look at everything */
  private void allocateNetworks(Set<String> ended, Set<String> nodes) throws IpamException {
    List<Network> pending = writer.store().read(v -> {
      if (ended == null) {
        book.releaseGone(v);
      } else {
        book.releaseGone(v, ended, nodes);
      }
      return v.networks().stream().filter(n -> !NetworkAllocator.allocated(n)).toList();
    });
    List<StoreAction> actions = new ArrayList<>();
    String failed = null;
    for (Network n : pending) {
      try {
        actions.add(Actions.update(book.allocate(n)));
      } catch (IpamException e) {
        failed = "network " + n.getSpec().getName() + ": " + e.getMessage();
      }
    }
    if (!actions.isEmpty()) {
      TransactionBatches.commit(writer, actions, "network allocation");
    }
    if (failed != null) {
      throw new IpamException(failed);
    }
  }

  /**
   * Every node's own address on ingress, which the routing mesh forwards from. The addresses that
   * fit are committed; when ingress's subnet is full, the failure is returned (for the caller to
   * throw once the rest of the pass is done) with the nodes that got none.
   */
  private IpamException allocateNodes(Set<String> changed) {
    record Missing(List<dev.orch.proto.Node> nodes, Optional<Network> ingress) {}
    Missing missing = writer.store().read(v -> new Missing(
        (changed == null ? v.nodes().stream() : changed.stream().sorted().flatMap(id -> v.node(id).stream()))
            .filter(n -> n.getIngressAddr().isEmpty()).toList(), Networks.ingress(v)));
    if (missing.ingress().isEmpty() || missing.nodes().isEmpty()) {
      return null;
    }
    List<StoreAction> actions = new ArrayList<>();
    IpamException full = null;
    for (dev.orch.proto.Node n : missing.nodes()) {
      Optional<String> addr;
      try {
        addr = book.nodeAddress(n, missing.ingress().get());
      } catch (IpamException e) {
        full = new IpamException((missing.nodes().size() - actions.size()) + " nodes have no address on ingress: "
            + e.getMessage() + " (orchd init --default-addr-pool-mask-length sets the subnet size)");
        break;
      }
      if (addr.isEmpty()) {
        return null; // ingress has no subnet yet; its allocation re-queues this key
      }
      actions.add(Actions.update(n.toBuilder().setIngressAddr(addr.get()).build()));
    }
    if (!actions.isEmpty()) {
      TransactionBatches.commit(writer, actions, "node ingress addresses");
    }
    return full;
  }

  private void allocateServices() throws IpamException {
    List<Service> services = writer.store().read(v -> List.copyOf(v.services()));
    List<StoreAction> actions = new ArrayList<>();
    List<Service> changed = new ArrayList<>();
    for (Service s : services) {
      Optional<Endpoint> endpoint = book.endpointFor(s);
      if (endpoint.isPresent() && !endpoint.get().equals(s.getEndpoint())) {
        Service next = s.toBuilder().setEndpoint(endpoint.get()).build();
        actions.add(Actions.update(next));
        changed.add(next);
      }
    }
    if (actions.isEmpty()) {
      return;
    }
    TransactionBatches.commit(writer, actions, "service endpoint allocation");
    changed.forEach(s -> book.committed(s, s.getEndpoint()));
  }

  private void allocateTasks() throws IpamException {
    record Fresh(List<Task> tasks, Optional<Network> ingress) {}
    Fresh fresh = writer.store().read(v -> new Fresh(v.unassignedTasks().stream()
        .filter(t -> t.getStatus().getState() == TaskState.NEW && TaskStates.wanted(t))
        .toList(), Networks.ingress(v)));
    if (fresh.tasks().isEmpty()) {
      return;
    }
    long now = clock.millis();
    List<StoreAction> actions = new ArrayList<>(fresh.tasks().size());
    int waiting = 0;
    for (Task t : fresh.tasks()) {
      Optional<List<NetworkAttachment>> endpoints = book.attach(t, fresh.ingress());
      if (endpoints.isEmpty()) {
        waiting++; // a network of the task has no subnet yet; its allocation re-queues this key
        continue;
      }
      actions.add(Actions.update(t.toBuilder()
          .clearNetworks()
          .addAllNetworks(endpoints.get())
          .setStatus(TaskStatus.newBuilder()
              .setState(TaskState.PENDING)
              .setTimestampMs(now)
              .setMessage("pending task scheduling"))
          .build()));
    }
    if (waiting > 0) {
      LOG.debug("{} new tasks wait for their networks' subnets", waiting);
    }
    if (!actions.isEmpty()) {
      TransactionBatches.commit(writer, actions, "allocation");
    }
  }
}
