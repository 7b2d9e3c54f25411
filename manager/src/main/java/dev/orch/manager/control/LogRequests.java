package dev.orch.manager.control;

import dev.orch.manager.dispatcher.NodeRequestRouter;
import dev.orch.proto.AgentReply;
import dev.orch.proto.AgentRequest;
import dev.orch.proto.LogLine;
import dev.orch.proto.LogsRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeLogsRequest;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.store.Store;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code Logs}: the leader asks every node that ran one of the service's (or the task's) tasks
 * for their lines over its request channel and merges them into one stream, each line named by
 * task and node (its time and stream come from the node). Without follow the stream ends when
 * every node has sent all; with follow it lasts until the caller cancels (the nodes are told to
 * stop).
 */
final class LogRequests {
  private final Store store;
  private final NodeRequestRouter router;
  private final Supplier<Optional<String>> leaderAddress;

  LogRequests(Store store, NodeRequestRouter router, Supplier<Optional<String>> leaderAddress) {
    this.store = store;
    this.router = router;
    this.leaderAddress = leaderAddress;
  }

  void stream(LogsRequest req, StreamObserver<LogLine> out) {
    if (!store.isLeader()) {
      throw Status.FAILED_PRECONDITION.withDescription("logs go through the leader, which holds the nodes'"
          + " connections; this manager is not the leader: " + leaderAddress.get()
              .map(a -> "run orchctl --host " + a + " instead").orElse("no leader is known yet, retry"))
          .asRuntimeException();
    }
    if (req.hasTail() && req.getTail() < 0) {
      throw ServiceSpecValidator.invalid("invalid tail " + req.getTail() + ": give a number of lines >= 0");
    }
    if (req.hasSinceUnixNanos() && req.getSinceUnixNanos() < 0) {
      throw ServiceSpecValidator.invalid("invalid since " + req.getSinceUnixNanos()
          + ": give a Unix time in nanoseconds >= 0");
    }
    Map<String, List<Task>> byNode = new LinkedHashMap<>();
    Map<String, Node> nodes = new LinkedHashMap<>();
    store.readLinearizable(v -> {
      List<Task> tasks = !req.getTask().isEmpty() ? List.of(TaskRequests.findTask(v, req.getTask()))
          : v.tasksByService(ControlService.findService(v, req.getService()).getMeta().getId());
      for (Task t : tasks) {
        // Only tasks that got as far as a container have a log.
        if (!t.getNodeId().isEmpty() && t.getStatus().getState().getNumber() >= TaskState.STARTING_VALUE
            && t.getStatus().getState() != TaskState.REJECTED) {
          byNode.computeIfAbsent(t.getNodeId(), k -> new ArrayList<>()).add(t);
          v.node(t.getNodeId()).ifPresent(n -> nodes.put(n.getMeta().getId(), n));
        }
      }
      return null;
    });
    ServerCallStreamObserver<LogLine> call = (ServerCallStreamObserver<LogLine>) out;
    List<NodeRequestRouter.Call> calls = new ArrayList<>();
    AtomicInteger open = new AtomicInteger(byNode.size());
    Runnable oneDone = () -> {
      if (open.decrementAndGet() == 0 && !req.getFollow()) {
        synchronized (out) {
          out.onCompleted();
        }
      }
    };
    if (byNode.isEmpty()) {
      out.onCompleted();
      return;
    }
    byNode.forEach((nodeId, tasks) -> {
      Map<String, Task> byId = new LinkedHashMap<>();
      tasks.forEach(t -> byId.put(t.getMeta().getId(), t));
      String host = nodes.containsKey(nodeId) ? nodes.get(nodeId).getDescription().getHostname() : nodeId;
      try {
        NodeRequestRouter.Call c = router.open(nodeId, new NodeRequestRouter.ReplyListener() {
          @Override
          public void onReply(AgentReply reply) {
            if (reply.hasError()) {
              send(out, LogLine.newBuilder().setNodeId(nodeId).setNodeHostname(host)
                  .setError("node " + host + ": " + reply.getError().getMessage()).build());
              oneDone.run();
              return;
            }
            for (LogLine l : reply.getLogs().getLinesList()) {
              Task t = byId.get(l.getTaskId());
              send(out, l.toBuilder().setNodeId(nodeId).setNodeHostname(host)
                  .setTaskName(t == null ? "" : TaskRequests.name(t)).build());
            }
            if (reply.getLogs().getEnd()) {
              oneDone.run();
            }
          }

          @Override
          public void onClosed(StatusRuntimeException why) {
            send(out, LogLine.newBuilder().setNodeId(nodeId).setNodeHostname(host)
                .setError("node " + host + ": " + why.getStatus().getDescription()).build());
            oneDone.run();
          }
        });
        calls.add(c);
        NodeLogsRequest.Builder ask = NodeLogsRequest.newBuilder().setFollow(req.getFollow())
            .addAllTaskIds(byId.keySet());
        if (req.hasTail()) {
          ask.setTail(req.getTail());
        }
        if (req.hasSinceUnixNanos()) {
          ask.setSinceUnixNanos(req.getSinceUnixNanos());
        }
        c.send(AgentRequest.newBuilder().setLogs(ask));
      } catch (StatusRuntimeException e) {
        send(out, LogLine.newBuilder().setNodeId(nodeId).setNodeHostname(host)
            .setError("node " + host + ": " + e.getStatus().getDescription()).build());
        oneDone.run();
      }
    });
    call.setOnCancelHandler(() -> calls.forEach(NodeRequestRouter.Call::cancel));
  }

  private static void send(StreamObserver<LogLine> out, LogLine line) {
    synchronized (out) {
      try {
        out.onNext(line);
      } catch (RuntimeException cancelled) {
        // the caller went away; the cancel handler stops the nodes
      }
    }
  }
}
