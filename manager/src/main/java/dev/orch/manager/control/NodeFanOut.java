package dev.orch.manager.control;

import dev.orch.manager.dispatcher.NodeRequestRouter;
import dev.orch.proto.AgentReply;
import dev.orch.proto.AgentRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeState;
import dev.orch.store.Store;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Asks nodes over their request channels and gathers their answers: what the Control API calls
 * about things that live on the nodes (volumes, node images) have in common. Only the leader holds
 * the nodes' channels.
 */
final class NodeFanOut {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** One node's answer: its value, or why it has none. */
  record Answer<T>(Node node, T value, String error) {}

  private final Store store;
  private final NodeRequestRouter router;
  private final Supplier<Optional<String>> leaderAddress;

  NodeFanOut(Store store, NodeRequestRouter router, Supplier<Optional<String>> leaderAddress) {
    this.store = store;
    this.router = router;
    this.leaderAddress = leaderAddress;
  }

  /** The node {@code node} names, or every ready node when it is empty; refused off the leader. */
  List<Node> nodes(String node, String what) {
    if (!store.isLeader()) {
      throw Status.FAILED_PRECONDITION.withDescription(what + " requests go through the leader, which holds the"
          + " nodes' connections; this manager is not the leader: " + leaderAddress.get()
              .map(a -> "run orchctl --host " + a + " instead").orElse("no leader is known yet, retry"))
          .asRuntimeException();
    }
    return store.readLinearizable(v -> node.isEmpty()
        ? v.nodes().stream().filter(n -> n.getStatus().getState() == NodeState.NODE_READY).toList()
        : List.of(NodeOperations.find(v, node)));
  }

  /** Sends {@code request} to every node at once and waits (at most {@link #TIMEOUT} in all) for the answers. */
  <T> List<Answer<T>> askAll(List<Node> nodes, AgentRequest.Builder request, Function<AgentReply, T> pick) {
    Map<Node, CompletableFuture<T>> answers = new LinkedHashMap<>();
    nodes.forEach(n -> answers.put(n, ask(n, request, pick)));
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<Answer<T>> out = new ArrayList<>();
    answers.forEach((node, answer) -> out.add(await(node, answer, deadline)));
    return out;
  }

  private static <T> Answer<T> await(Node node, CompletableFuture<T> answer, long deadline) {
    try {
      return new Answer<>(node, answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS), null);
    } catch (ExecutionException e) {
      return new Answer<>(node, null, e.getCause().getMessage());
    } catch (TimeoutException e) {
      return new Answer<>(node, null, "did not answer within " + TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.asRuntimeException();
    }
  }

  /** "hostname (id)", for messages. */
  static String name(Node n) {
    return n.getDescription().getHostname() + " (" + n.getMeta().getId() + ")";
  }

  /**
   * One request to one node; the future fails with the node's error message.
   *
   * @param pick the answer in a reply, or null for a reply that is not it
   */
  <T> CompletableFuture<T> ask(Node node, AgentRequest.Builder request, Function<AgentReply, T> pick) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    try {
      NodeRequestRouter.Call call = router.open(node.getMeta().getId(), new NodeRequestRouter.ReplyListener() {
        @Override
        public void onReply(AgentReply reply) {
          T value = pick.apply(reply);
          if (value != null) {
            answer.complete(value);
          } else if (reply.hasError()) {
            answer.completeExceptionally(new IllegalStateException(reply.getError().getMessage()));
          }
        }

        @Override
        public void onClosed(StatusRuntimeException why) {
          answer.completeExceptionally(new IllegalStateException(why.getStatus().getDescription()));
        }
      });
      call.send(request);
      answer.whenComplete((r, e) -> call.cancel());
    } catch (StatusRuntimeException e) {
      answer.completeExceptionally(new IllegalStateException(e.getStatus().getDescription()));
    }
    return answer;
  }
}
