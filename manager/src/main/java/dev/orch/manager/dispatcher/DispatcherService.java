package dev.orch.manager.dispatcher;

import dev.orch.manager.Actions;
import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.AssignmentsMessage;
import dev.orch.proto.AssignmentsRequest;
import dev.orch.proto.BlobChunk;
import dev.orch.proto.DispatcherGrpc;
import dev.orch.proto.FetchBlobRequest;
import dev.orch.proto.HeartbeatRequest;
import dev.orch.proto.HeartbeatResponse;
import dev.orch.proto.Node;
import dev.orch.proto.NodeState;
import dev.orch.proto.SessionMessage;
import dev.orch.proto.SessionRequest;
import dev.orch.proto.Service;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateTaskStatusRequest;
import dev.orch.proto.UpdateTaskStatusResponse;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Dispatcher API on the leader. Heartbeats live in memory (they are not worth a Raft write
 * each); node state changes and task status go through the store.
 */
public final class DispatcherService extends DispatcherGrpc.DispatcherImplBase
    implements AutoCloseable {
  private final StoreWriter writer;
  private final Clock clock;
  private final Ids ids;
  private final BlobReader blobs;
  private final NodeSessions sessions;
  private final java.util.function.Supplier<List<String>> managers;
  private final java.util.function.Supplier<java.util.Optional<String>> leaderAddress;
  private final TaskStatusWriter statusWriter;
  private final Map<String, AssignmentStream> streams = new ConcurrentHashMap<>();
  private final ExecutorService sender =
      Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "dispatcher-sender");
        t.setDaemon(true);
        return t;
      });
  private final AutoCloseable watch;
  private final NodeRequestRouter nodeRequests = new NodeRequestRouter();
  private final NetworkPush networks;

  /** Opens a content-addressed blob for download. */
  public interface BlobReader {
    InputStream open(String digest) throws IOException;
  }

  public DispatcherService(
      StoreWriter writer, Clock clock, Ids ids, BlobReader blobs, NodeSessions sessions,
      java.util.function.Supplier<List<String>> managers,
      java.util.function.Supplier<java.util.Optional<String>> leaderAddress, MeterRegistry metrics) {
    this.managers = managers;
    this.leaderAddress = leaderAddress;
    this.writer = writer;
    this.clock = clock;
    this.ids = ids;
    this.blobs = blobs;
    this.sessions = sessions;
    this.statusWriter = new TaskStatusWriter(writer);
    this.networks = new NetworkPush(writer.store(), streams);
    this.watch = writer.store().watch(this::route);
    networks.load();
    Gauge.builder("orch.dispatcher.sessions", sessions, NodeSessions::size)
        .description("Worker sessions open on this dispatcher")
        .register(metrics);
  }

  private Store store() {
    return writer.store();
  }

  /** A node may only act as itself: the node id in a request must be the one in its certificate. */
  private static void requireSelf(String nodeId) {
    var peer = dev.orch.manager.security.PeerIdentity.current();
    if (peer == null || !peer.nodeId().equals(nodeId)) {
      throw Status.PERMISSION_DENIED
          .withDescription("node " + (peer == null ? "(no certificate)" : peer.nodeId()) + " may not act as node " + nodeId)
          .asRuntimeException();
    }
  }

  private void requireLeader() {
    if (!store().isLeader()) {
      // Agents follow the "leader=" hint to the leader's dispatcher.
      throw Status.FAILED_PRECONDITION
          .withDescription("this manager is not the leader; "
              + leaderAddress.get().map(a -> "leader=" + a).orElse("no leader is known yet, retry"))
          .asRuntimeException();
    }
  }

  @Override
  public void session(SessionRequest req, StreamObserver<SessionMessage> out) {
    requireSelf(req.getNodeId());
    requireLeader();
    Node node = store().read(v -> v.node(req.getNodeId())).orElseThrow(() ->
        Status.PERMISSION_DENIED
            .withDescription("unknown node " + req.getNodeId() + "; join the cluster first")
            .asRuntimeException());
    String sessionId = ids.next();
    Node ready = node.toBuilder()
        .setDescription(req.getDescription())
        .setStatus(node.getStatus().toBuilder()
            .setState(NodeState.NODE_READY)
            .setAddr(req.getAddr())
            .setMessage("")
            .setLastHeartbeatMs(clock.millis()))
        .build();
    // The session opens before the node reads READY: the health monitor marks a READY node that
    // has no session DOWN, and would do so if it looked between the commit and the open.
    sessions.open(req.getNodeId(), sessionId, clock.millis());
    boolean registered = false;
    try {
      var r = writer.submit(List.of(Actions.upsert(ready)));
      if (!r.getOk()) {
        throw Status.UNAVAILABLE.withDescription("registering node: " + r.getError()).asRuntimeException();
      }
      registered = true;
    } finally {
      if (!registered) {
        sessions.closeIf(req.getNodeId(), sessionId);
      }
    }
    var call = (ServerCallStreamObserver<SessionMessage>) out;
    OpenSession open = new OpenSession(call, node.getSpec().getRole());
    sessionStreams.put(req.getNodeId(), open);
    call.setOnCancelHandler(() -> {
      sessions.closeIf(req.getNodeId(), sessionId);
      sessionStreams.remove(req.getNodeId(), open);
    });
    out.onNext(SessionMessage.newBuilder()
        .setSessionId(sessionId)
        .setNodeId(req.getNodeId())
        .addAllManagers(managers.get())
        .setHeartbeatPeriodMs(sessions.heartbeatPeriodMs())
        .setRole(node.getSpec().getRole())
        .build());
  }

  /** A session stream and the role it told the node. */
  private record OpenSession(ServerCallStreamObserver<SessionMessage> stream, dev.orch.proto.NodeRole role) {}

  private final Map<String, OpenSession> sessionStreams = new ConcurrentHashMap<>();

  /** A node whose wanted role changed gets its session ended; the next one tells it the new role. */
  private void endSessionOnRoleChange(Node n) {
    OpenSession open = sessionStreams.get(n.getMeta().getId());
    if (open != null && open.role() != n.getSpec().getRole() && sessionStreams.remove(n.getMeta().getId(), open)) {
      sender.execute(() -> {
        try {
          open.stream().onCompleted();
        } catch (RuntimeException alreadyClosed) {
          // the node went away meanwhile
        }
      });
    }
  }

  /** The request streams of the nodes connected here (exec, stats, ...). */
  public NodeRequestRouter nodeRequests() {
    return nodeRequests;
  }

  /** A node's request stream: its first message must be a hello naming the node itself. */
  @Override
  public StreamObserver<dev.orch.proto.AgentReply> nodeRequests(StreamObserver<dev.orch.proto.AgentRequest> out) {
    var peer = dev.orch.manager.security.PeerIdentity.current();
    requireLeader();
    return new StreamObserver<>() {
      private StreamObserver<dev.orch.proto.AgentReply> connected;

      @Override
      public void onNext(dev.orch.proto.AgentReply reply) {
        if (connected != null) {
          connected.onNext(reply);
          return;
        }
        String nodeId = reply.getHello().getNodeId();
        if (!reply.hasHello() || peer == null || !peer.nodeId().equals(nodeId)) {
          out.onError(Status.PERMISSION_DENIED.withDescription("a request stream must start with a hello"
              + " naming the node of the client certificate").asRuntimeException());
          return;
        }
        connected = nodeRequests.connect(nodeId, out);
      }

      @Override
      public void onError(Throwable t) {
        if (connected != null) {
          connected.onError(t);
        }
      }

      @Override
      public void onCompleted() {
        if (connected != null) {
          connected.onCompleted();
        } else {
          out.onCompleted();
        }
      }
    };
  }

  @Override
  public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
    requireSelf(req.getNodeId());
    requireLeader();
    if (!sessions.heartbeat(req.getNodeId(), req.getSessionId(), clock.millis())) {
      throw Status.NOT_FOUND.withDescription("session expired; open a new session").asRuntimeException();
    }
    out.onNext(HeartbeatResponse.newBuilder().setPeriodMs(sessions.heartbeatPeriodMs()).build());
    out.onCompleted();
  }

  @Override
  public void assignments(AssignmentsRequest req, StreamObserver<AssignmentsMessage> out) {
    requireSelf(req.getNodeId());
    requireLeader();
    requireSession(req.getNodeId(), req.getSessionId());
    var call = (ServerCallStreamObserver<AssignmentsMessage>) out;
    AssignmentStream stream =
        new AssignmentStream(req.getNodeId(), call, sender, d -> store().read(v -> v.image(d).orElse(null)),
            sid -> store().read(v -> v.service(sid).filter(Service::hasRegistryAuth).map(Service::getRegistryAuth).orElse(null)),
            new AssignmentStream.DataLookup() {
              @Override
              public dev.orch.proto.Secret secret(String id) {
                return dev.orch.manager.control.SecretSealing.opened(store().read(v -> v.secret(id).orElse(null)));
              }

              @Override
              public dev.orch.proto.Config config(String id) {
                return store().read(v -> v.config(id).orElse(null));
              }
            });
    call.setOnCancelHandler(() -> {
      stream.close();
      streams.remove(req.getNodeId(), stream);
    });
    // Register before reading the complete set so no change between the two is lost; a change
    // seen twice is harmless because the agent applies the latest version of each task.
    synchronized (stream) {
      AssignmentStream previous = streams.put(req.getNodeId(), stream);
      if (previous != null) {
        previous.close();
      }
      List<Task> tasks = store().read(v -> List.copyOf(v.tasksByNode(req.getNodeId())));
      stream.sendComplete(tasks, networks.complete(req.getNodeId()));
    }
  }

  @Override
  public void updateTaskStatus(UpdateTaskStatusRequest req, StreamObserver<UpdateTaskStatusResponse> out) {
    requireSelf(req.getNodeId());
    requireLeader();
    requireSession(req.getNodeId(), req.getSessionId());
    statusWriter.write(req.getNodeId(), req.getUpdatesList());
    out.onNext(UpdateTaskStatusResponse.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void fetchBlob(FetchBlobRequest req, StreamObserver<BlobChunk> out) {
    try (InputStream in = blobs.open(req.getDigest())) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
        out.onNext(BlobChunk.newBuilder().setData(com.google.protobuf.ByteString.copyFrom(buf, 0, n)).build());
      }
      out.onCompleted();
    } catch (IOException e) {
      out.onError(Status.NOT_FOUND
          .withDescription("blob " + req.getDigest() + " not available: " + e.getMessage())
          .asRuntimeException());
    }
  }

  private void requireSession(String nodeId, String sessionId) {
    if (!sessions.valid(nodeId, sessionId)) {
      throw Status.NOT_FOUND.withDescription("session expired; open a new session").asRuntimeException();
    }
  }

  /** Apply thread: forwards task changes to the stream of the node that owns them. */
  private void route(List<WatchEvent> events) {
    for (WatchEvent e : events) {
      StoredObject o = e.getObject();
      networks.route(e);
      if (o.getObjectCase() == StoredObject.ObjectCase.NODE && e.getType() != dev.orch.proto.ActionType.DELETE) {
        endSessionOnRoleChange(o.getNode());
        continue;
      }
      if (o.getObjectCase() != StoredObject.ObjectCase.TASK || o.getTask().getNodeId().isEmpty()) {
        continue;
      }
      Task t = o.getTask();
      AssignmentStream s = streams.get(t.getNodeId());
      if (s == null) {
        continue;
      }
      if (e.getType() == dev.orch.proto.ActionType.DELETE) {
        s.remove(t.getMeta().getId());
      } else if (agentNeeds(t)) {
        s.update(t);
      }
    }
  }

  /**
   * Whether a change of an assigned task tells its node something new: a new assignment, or a
   * desired state that asks it to stop or remove the task. A wanted task past ASSIGNED changes only
   * by the node's own status reports, so echoing those back would double the dispatcher's traffic
   * for nothing (with 100,000 tasks, hundreds of thousands of messages).
   */
  static boolean agentNeeds(Task t) {
    return t.getDesiredState().getNumber() > TaskState.RUNNING_VALUE
        || t.getStatus().getState().getNumber() <= TaskState.ASSIGNED_VALUE;
  }

  @Override
  public void close() {
    try {
      watch.close();
    } catch (Exception ignored) {
      // closing a watch handle has nothing to fail on that matters at shutdown
    }
    streams.values().forEach(AssignmentStream::close);
    nodeRequests.closeAll();
    networks.close();
    sender.shutdownNow();
  }
}
