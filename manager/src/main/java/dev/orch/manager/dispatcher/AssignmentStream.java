package dev.orch.manager.dispatcher;

import dev.orch.proto.AssignmentsMessage;
import dev.orch.proto.Config;
import dev.orch.proto.FileReference;
import dev.orch.proto.Image;
import dev.orch.proto.NetworkState;
import dev.orch.proto.RegistryAuth;
import dev.orch.proto.Secret;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One node's assignment stream. Changes are coalesced per task and flushed on a shared executor,
 * so the store's apply thread never blocks on a slow node and a burst of changes to one task is
 * sent as its latest version.
 */
final class AssignmentStream {
  private final String nodeId;
  private final ServerCallStreamObserver<AssignmentsMessage> out;
  private final Executor sender;
  private final Function<String, Image> images;
  private final Function<String, RegistryAuth> registryAuth;
  private final Map<String, Task> updates = new LinkedHashMap<>();
  private final Set<String> removals = new LinkedHashSet<>();
  private final Set<String> imagesSent = new HashSet<>();
  // Networks: the latest view of each, sent only when it differs from what the node has.
  private final Map<String, NetworkState> networkUpdates = new LinkedHashMap<>();
  private final Set<String> networkRemovals = new LinkedHashSet<>();
  private final Map<String, NetworkState> networksSent = new HashMap<>();
  private final DataLookup data;
  private final Set<String> dataSent = new HashSet<>();
  private boolean flushScheduled;
  private volatile boolean closed;

  AssignmentStream(
      String nodeId,
      ServerCallStreamObserver<AssignmentsMessage> out,
      Executor sender,
      Function<String, Image> images,
      Function<String, RegistryAuth> registryAuth,
      DataLookup data) {
    this.data = data;
    this.nodeId = nodeId;
    this.out = out;
    this.sender = sender;
    this.images = images;
    this.registryAuth = registryAuth;
  }

  /** Secrets and configs by id, with their data; null when gone. */
  interface DataLookup {
    Secret secret(String id);

    Config config(String id);
  }

  String nodeId() {
    return nodeId;
  }

  /** Sends the complete set; must be the first message on the stream. */
  synchronized void sendComplete(List<Task> tasks, List<NetworkState> networks) {
    AssignmentsMessage.Builder m =
        AssignmentsMessage.newBuilder().setType(AssignmentsMessage.Type.COMPLETE).addAllUpdateTasks(tasks)
            .addAllNetworks(networks);
    networks.forEach(n -> networksSent.put(n.getNetwork().getMeta().getId(), n));
    addImages(m, tasks);
    out.onNext(m.build());
  }

  /** The node needs {@code state}: sent unless it already has exactly this. */
  synchronized void network(NetworkState state) {
    String id = state.getNetwork().getMeta().getId();
    networkRemovals.remove(id);
    if (state.equals(networksSent.get(id))) {
      networkUpdates.remove(id);
      return;
    }
    networkUpdates.put(id, state);
    scheduleFlush();
  }

  /** Whether the node has network {@code id}, or is about to be sent it. */
  synchronized boolean holds(String id) {
    return networksSent.containsKey(id) || networkUpdates.containsKey(id);
  }

  /** The node no longer needs network {@code id} (if it had it). */
  synchronized void dropNetwork(String id) {
    networkUpdates.remove(id);
    if (networksSent.containsKey(id)) {
      networkRemovals.add(id);
      scheduleFlush();
    }
  }

  synchronized void update(Task t) {
    removals.remove(t.getMeta().getId());
    updates.put(t.getMeta().getId(), t);
    scheduleFlush();
  }

  synchronized void remove(String taskId) {
    updates.remove(taskId);
    removals.add(taskId);
    scheduleFlush();
  }

  private void scheduleFlush() {
    if (!flushScheduled && !closed) {
      flushScheduled = true;
      sender.execute(this::flush);
    }
  }

  private synchronized void flush() {
    flushScheduled = false;
    if (closed || (updates.isEmpty() && removals.isEmpty() && networkUpdates.isEmpty()
        && networkRemovals.isEmpty())) {
      return;
    }
    List<Task> tasks = List.copyOf(updates.values());
    AssignmentsMessage.Builder m =
        AssignmentsMessage.newBuilder()
            .setType(AssignmentsMessage.Type.INCREMENTAL)
            .addAllUpdateTasks(tasks)
            .addAllRemoveTasks(removals)
            .addAllNetworks(networkUpdates.values())
            .addAllRemoveNetworks(networkRemovals);
    addImages(m, tasks);
    networkUpdates.values().forEach(n -> networksSent.put(n.getNetwork().getMeta().getId(), n));
    networkRemovals.forEach(networksSent::remove);
    updates.clear();
    removals.clear();
    networkUpdates.clear();
    networkRemovals.clear();
    try {
      out.onNext(m.build());
    } catch (RuntimeException e) {
      // The call was cancelled under us; the node reconnects and gets a complete set.
      closed = true;
    }
  }

  /**
   * Adds the images of {@code tasks} not sent on this stream yet, and the registry credentials
   * of the tasks whose service has them (only this node's tasks, so only the nodes that pull).
   */
  private void addImages(AssignmentsMessage.Builder m, List<Task> tasks) {
    addData(m, tasks);
    Map<String, RegistryAuth> byService = new HashMap<>();
    for (Task t : tasks) {
      if (!byService.containsKey(t.getServiceId())) {
        byService.put(t.getServiceId(), registryAuth.apply(t.getServiceId()));
      }
      RegistryAuth auth = byService.get(t.getServiceId());
      if (auth != null && t.getDesiredState().getNumber() <= TaskState.RUNNING_VALUE) {
        m.putRegistryAuth(t.getMeta().getId(), auth);
      }
      String digest = t.getSpec().getImageDigest();
      if (!digest.isEmpty() && imagesSent.add(digest)) {
        Image image = images.apply(digest);
        if (image != null) {
          m.addImages(image);
        }
      }
    }
  }

  /**
   * The secrets and configs the tasks use, each once per stream (their data never changes): only
   * nodes with a task that uses one ever receive it.
   */
  private void addData(AssignmentsMessage.Builder m, List<Task> tasks) {
    for (Task t : tasks) {
      for (FileReference r : t.getSpec().getContainer().getSecretsList()) {
        Secret s = dataSent.add(r.getId()) ? data.secret(r.getId()) : null;
        if (s != null) {
          m.addSecrets(s);
        }
      }
      for (FileReference r : t.getSpec().getContainer().getConfigsList()) {
        Config c = dataSent.add(r.getId()) ? data.config(r.getId()) : null;
        if (c != null) {
          m.addConfigs(c);
        }
      }
    }
  }

  void close() {
    closed = true;
  }
}
