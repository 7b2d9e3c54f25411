package dev.orch.manager.dispatcher;

import dev.orch.proto.AgentReply;
import dev.orch.proto.AgentRequest;
import dev.orch.proto.CancelRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The manager's end of the manager -> node request channel: the request streams that nodes'
 * agents keep open to this (leader) dispatcher, by node id. A caller opens a {@link Call} to a
 * node, sends {@link AgentRequest}s on it and gets the node's {@link AgentReply}s for it until a
 * terminal reply (an error, or the kind's last message) or the node's stream ends.
 *
 * <p>To add a request kind: extend the {@code kind} oneofs in {@code node_requests.proto}, answer
 * it in the agent's {@code NodeRequestHandler}, and list its terminal reply in {@link #terminal}.
 */
public final class NodeRequestRouter {

  /** Receives one call's replies, on the node stream's thread; must not block. */
  public interface ReplyListener {
    void onReply(AgentReply reply);

    /** The call cannot continue (the node disconnected); nothing more arrives. */
    void onClosed(StatusRuntimeException why);
  }

  private final Map<String, NodeStream> nodes = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();

  /** One request to one node. */
  public final class Call {
    private final String id;
    private final NodeStream node;

    private Call(String id, NodeStream node) {
      this.id = id;
      this.node = node;
    }

    /** Sends a message of this request (its id is filled in). */
    public void send(AgentRequest.Builder request) {
      node.send(request.setRequestId(id).build());
    }

    /** Tells the node to stop the request; its listener hears nothing more. */
    public void cancel() {
      if (node.pending.remove(id) != null) {
        node.send(AgentRequest.newBuilder().setRequestId(id).setCancel(CancelRequest.getDefaultInstance()).build());
      }
    }
  }

  /**
   * Opens a call to a node's agent.
   *
   * @throws StatusRuntimeException UNAVAILABLE when the node has no request stream open here
   */
  public Call open(String nodeId, ReplyListener listener) {
    NodeStream node = nodes.get(nodeId);
    if (node == null) {
      throw Status.UNAVAILABLE.withDescription("node " + nodeId + " is not connected to this manager"
          + " (it is down, or its agent is reconnecting): retry once the node is Ready").asRuntimeException();
    }
    String id = Long.toString(nextId.incrementAndGet());
    node.pending.put(id, listener);
    return new Call(id, node);
  }

  /** Whether a node's agent has its request stream open here. */
  public boolean connected(String nodeId) {
    return nodes.containsKey(nodeId);
  }

  /**
   * Registers a node's request stream (after its hello was checked) and returns what consumes its
   * replies. A newer stream of the same node replaces the older, whose calls are closed.
   */
  StreamObserver<AgentReply> connect(String nodeId, StreamObserver<AgentRequest> out) {
    NodeStream stream = new NodeStream(nodeId, out);
    NodeStream previous = nodes.put(nodeId, stream);
    if (previous != null) {
      previous.closeAll("node " + nodeId + " opened a new request stream");
    }
    return stream;
  }

  /** Closes every node stream (the manager is stopping or lost leadership). */
  void closeAll() {
    for (NodeStream s : List.copyOf(nodes.values())) {
      nodes.remove(s.nodeId, s);
      s.closeAll("the manager is no longer the leader; retry");
      try {
        s.out.onError(Status.UNAVAILABLE.withDescription("dispatcher closing").asRuntimeException());
      } catch (RuntimeException e) {
        // the transport already ended it
      }
    }
  }

  /** Whether a reply ends its call. */
  static boolean terminal(AgentReply reply) {
    return switch (reply.getKindCase()) {
      case ERROR, STATS, VOLUMES, IMAGES -> true;
      case EXEC -> reply.getExec().hasExit();
      case LOGS -> reply.getLogs().getEnd();
      default -> false;
    };
  }

  private final class NodeStream implements StreamObserver<AgentReply> {
    private final String nodeId;
    private final StreamObserver<AgentRequest> out;
    private final Map<String, ReplyListener> pending = new ConcurrentHashMap<>();

    NodeStream(String nodeId, StreamObserver<AgentRequest> out) {
      this.nodeId = nodeId;
      this.out = out;
    }

    synchronized void send(AgentRequest request) {
      try {
        out.onNext(request);
      } catch (RuntimeException e) {
        closeAll("the request stream of node " + nodeId + " failed: " + e.getMessage());
      }
    }

    @Override
    public void onNext(AgentReply reply) {
      String id = reply.getRequestId();
      ReplyListener listener = terminal(reply) ? pending.remove(id) : pending.get(id);
      if (listener != null) {
        listener.onReply(reply);
      }
    }

    @Override
    public void onError(Throwable t) {
      ended("the request stream of node " + nodeId + " broke: " + t.getMessage());
    }

    @Override
    public void onCompleted() {
      ended("node " + nodeId + " closed its request stream");
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        // already closed
      }
    }

    private void ended(String why) {
      nodes.remove(nodeId, this);
      closeAll(why);
    }

    void closeAll(String why) {
      StatusRuntimeException failure = Status.UNAVAILABLE.withDescription(why).asRuntimeException();
      for (String id : List.copyOf(pending.keySet())) {
        ReplyListener l = pending.remove(id);
        if (l != null) {
          l.onClosed(failure);
        }
      }
    }
  }
}
