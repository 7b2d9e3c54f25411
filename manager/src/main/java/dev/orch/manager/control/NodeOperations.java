package dev.orch.manager.control;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import dev.orch.proto.NodeSpec;
import dev.orch.proto.NodeState;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.store.StoreView;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Node management calls of the Control API: inspect, update (availability, labels), remove. */
final class NodeOperations {
  private static final Pattern LABEL_KEY = Pattern.compile("^[A-Za-z0-9]([A-Za-z0-9._/-]{0,126}[A-Za-z0-9])?$");

  private final ControlCommits commits;
  private final StoreWriter writer;
  private final String localNodeId;
  private java.util.function.Function<String, java.util.concurrent.CompletableFuture<Void>> removeMember;

  /** How a manager leaves the Raft group when its node is removed. */
  void enableMemberRemoval(java.util.function.Function<String, java.util.concurrent.CompletableFuture<Void>> f) {
    this.removeMember = f;
  }

  NodeOperations(StoreWriter writer, ControlCommits commits, String localNodeId) {
    this.writer = writer;
    this.commits = commits;
    this.localNodeId = localNodeId;
  }

  Node get(String ref) {
    return writer.store().readLinearizable(v -> find(v, ref));
  }

  Node update(String ref, long version, NodeSpec spec) {
    Node current = get(ref);
    Node.Builder next = current.toBuilder();
    if (spec.getRole() != current.getSpec().getRole()) {
      next = changeRole(current, spec.getRole());
    }
    for (String key : spec.getLabelsMap().keySet()) {
      if (!LABEL_KEY.matcher(key).matches()) {
        throw ServiceSpecValidator.invalid("invalid label key \"" + key
            + "\": use letters, digits, '.', '_', '-', '/' (at most 128), starting and ending with a letter or digit");
      }
    }
    long v = version == 0 ? current.getMeta().getVersion() : version;
    if (v != current.getMeta().getVersion()) {
      throw Status.ABORTED.withDescription("node " + current.getMeta().getId() + " changed since it was read;"
          + " read it again and retry").asRuntimeException();
    }
    Node updated = next.setMeta(current.getMeta().toBuilder().setVersion(v)).setSpec(spec).build();
    return commits.commit(List.of(Actions.update(updated))).getObjects(0).getNode();
  }

  String remove(String ref, boolean force) {
    List<StoreAction> actions = writer.store().readLinearizable(v -> {
      Node n = find(v, ref);
      String id = n.getMeta().getId();
      if (id.equals(localNodeId)) {
        throw Status.FAILED_PRECONDITION.withDescription("node " + id + " is the manager serving this call;"
            + " remove it through another manager").asRuntimeException();
      }
      if (n.getStatus().getState() != NodeState.NODE_DOWN && !force) {
        throw Status.FAILED_PRECONDITION.withDescription("node " + id + " is not down; stop orchd on it"
            + " (orchd leave), or remove it anyway with --force").asRuntimeException();
      }
      List<StoreAction> a = new ArrayList<>();
      a.add(StoreAction.newBuilder().setType(dev.orch.proto.ActionType.DELETE)
          .setObject(dev.orch.proto.StoredObject.newBuilder().setNode(n)).build());
      // Its tasks can never report again: mark them orphaned so their slots are refilled elsewhere.
      for (Task t : v.tasksByNode(id)) {
        if (t.getStatus().getState().getNumber() <= TaskState.RUNNING_VALUE) {
          a.add(Actions.update(t.toBuilder()
              .setDesiredState(t.getDesiredState() == TaskState.REMOVE ? TaskState.REMOVE : TaskState.SHUTDOWN)
              .setStatus(t.getStatus().toBuilder().setState(TaskState.ORPHANED).setMessage("node removed"))
              .build()));
        }
      }
      return a;
    });
    Node removed = actions.get(0).getObject().getNode();
    if (removed.getSpec().getRole() == NodeRole.MANAGER) {
      leaveRaft(removed.getMeta().getId());
    }
    commits.commit(actions);
    return removed.getMeta().getId();
  }

  /** Managers serve on these ports of their node's address after a promotion. */
  static final int PROMOTED_CONTROL_PORT = 4242;

  /**
   * Promotion records where the node will serve as a manager; its orchd sees the new role at its
   * next session and joins the Raft group. Demotion takes the manager out of the Raft group first
   * (refused if that would break the quorum); its orchd then continues as a worker.
   */
  private Node.Builder changeRole(Node current, NodeRole role) {
    String id = current.getMeta().getId();
    if (role == NodeRole.MANAGER) {
      String host = current.getStatus().getAddr();
      if (host.isEmpty()) {
        throw Status.FAILED_PRECONDITION.withDescription("node " + id + " has not reported its address yet;"
            + " promote it once it is Ready").asRuntimeException();
      }
      return current.toBuilder().setManagerStatus(dev.orch.proto.ManagerStatus.newBuilder()
          .setAddr(host + ":" + PROMOTED_CONTROL_PORT)
          .setRaftAddr(host + ":" + (PROMOTED_CONTROL_PORT + 1)));
    }
    if (id.equals(localNodeId)) {
      throw Status.FAILED_PRECONDITION.withDescription("node " + id + " is the manager serving this call;"
          + " demote it through another manager").asRuntimeException();
    }
    leaveRaft(id);
    return current.toBuilder().clearManagerStatus();
  }

  /** A removed manager leaves the Raft group first; a change that would break the quorum is refused. */
  private void leaveRaft(String nodeId) {
    if (removeMember == null) {
      throw Status.FAILED_PRECONDITION.withDescription("removing managers is not available on this manager")
          .asRuntimeException();
    }
    try {
      removeMember.apply(nodeId).get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw Status.FAILED_PRECONDITION.withDescription("cannot remove manager " + nodeId + " from the Raft group: "
          + e.getCause().getMessage()).asRuntimeException();
    } catch (java.util.concurrent.TimeoutException e) {
      throw Status.UNAVAILABLE.withDescription("removing manager " + nodeId + " from the Raft group timed out")
          .asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.asRuntimeException();
    }
  }

  /** Finds a node by id, hostname, or unique id prefix. */
  static Node find(StoreView v, String ref) {
    if (ref.isEmpty()) {
      throw ServiceSpecValidator.invalid("no node given: name a node by id or hostname");
    }
    Optional<Node> exact = v.node(ref);
    if (exact.isPresent()) {
      return exact.get();
    }
    List<Node> matches = v.nodes().stream()
        .filter(n -> n.getDescription().getHostname().equals(ref) || n.getMeta().getId().startsWith(ref))
        .toList();
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.size() > 1) {
      throw ServiceSpecValidator.invalid("node \"" + ref + "\" is ambiguous (" + matches.size()
          + " nodes match); use the node id");
    }
    throw Status.NOT_FOUND.withDescription("node \"" + ref + "\" not found; see orchctl node ls").asRuntimeException();
  }
}
