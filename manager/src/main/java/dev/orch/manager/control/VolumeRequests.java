package dev.orch.manager.control;

import dev.orch.manager.dispatcher.NodeRequestRouter;
import dev.orch.proto.AgentReply;
import dev.orch.proto.AgentRequest;
import dev.orch.proto.Node;
import dev.orch.proto.NodeState;
import dev.orch.proto.VolumeInfo;
import dev.orch.proto.VolumeOp;
import dev.orch.proto.VolumeRequest;
import dev.orch.proto.VolumeResponse;
import dev.orch.proto.VolumesRequest;
import dev.orch.store.Store;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code Volumes}: volumes live on the nodes, so the leader asks each node (one, or every ready
 * node) over its request channel and merges the answers. A removal without a node finds the one
 * node that has the volume first.
 */
final class VolumeRequests {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Store store;
  private final NodeRequestRouter router;
  private final Supplier<Optional<String>> leaderAddress;

  VolumeRequests(Store store, NodeRequestRouter router, Supplier<Optional<String>> leaderAddress) {
    this.store = store;
    this.router = router;
    this.leaderAddress = leaderAddress;
  }

  VolumeResponse handle(VolumesRequest req) {
    if (!store.isLeader()) {
      throw Status.FAILED_PRECONDITION.withDescription("volume requests go through the leader, which holds the"
          + " nodes' connections; this manager is not the leader: " + leaderAddress.get()
              .map(a -> "run orchctl --host " + a + " instead").orElse("no leader is known yet, retry"))
          .asRuntimeException();
    }
    List<Node> nodes = store.readLinearizable(v -> req.getNode().isEmpty()
        ? v.nodes().stream().filter(n -> n.getStatus().getState() == NodeState.NODE_READY).toList()
        : List.of(NodeOperations.find(v, req.getNode())));
    VolumeRequest.Builder ask = VolumeRequest.newBuilder().setOp(req.getOp()).setName(req.getName());
    if (req.getOp() == VolumeOp.VOLUME_REMOVE) {
      if (req.getName().isEmpty()) {
        throw ServiceSpecValidator.invalid("no volume given: name the volume to remove");
      }
      nodes = nodesWith(req.getName(), nodes);
      VolumeResponse.Builder out = VolumeResponse.newBuilder();
      Node node = nodes.get(0);
      try {
        out.addAllVolumes(withNode(ask(node, ask).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getVolumesList(), node));
      } catch (ExecutionException e) {
        throw Status.FAILED_PRECONDITION.withDescription("node " + name(node) + ": " + e.getCause().getMessage())
            .asRuntimeException();
      } catch (TimeoutException e) {
        throw Status.DEADLINE_EXCEEDED.withDescription("node " + name(node) + " did not answer within "
            + TIMEOUT.toSeconds() + " s").asRuntimeException();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.asRuntimeException();
      }
      return out.build();
    }
    return fanOut(nodes, ask.build());
  }

  /** The one node that has volume {@code name}; refused when none or several do. */
  private List<Node> nodesWith(String name, List<Node> candidates) {
    if (candidates.size() == 1) {
      return candidates;
    }
    VolumeResponse all = fanOut(candidates, VolumeRequest.newBuilder().setOp(VolumeOp.VOLUME_LIST).build());
    List<String> holders = all.getVolumesList().stream().filter(v -> v.getName().equals(name))
        .map(VolumeInfo::getNodeId).distinct().toList();
    if (holders.isEmpty()) {
      throw Status.NOT_FOUND.withDescription("no volume " + name + " on any ready node" + (all.getErrorsCount() == 0
          ? "" : " that answered (" + String.join("; ", all.getErrorsList()) + ")") + "; see orchctl volume ls")
          .asRuntimeException();
    }
    if (holders.size() > 1) {
      throw Status.FAILED_PRECONDITION.withDescription("volume " + name + " exists on " + holders.size() + " nodes ("
          + String.join(", ", holders) + "): name the one with --node").asRuntimeException();
    }
    return candidates.stream().filter(n -> n.getMeta().getId().equals(holders.get(0))).toList();
  }

  private VolumeResponse fanOut(List<Node> nodes, VolumeRequest request) {
    Map<Node, CompletableFuture<VolumeResponse>> answers = new LinkedHashMap<>();
    nodes.forEach(n -> answers.put(n, ask(n, request.toBuilder())));
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<VolumeInfo> volumes = new ArrayList<>();
    VolumeResponse.Builder out = VolumeResponse.newBuilder();
    answers.forEach((node, answer) -> {
      try {
        volumes.addAll(withNode(answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
            .getVolumesList(), node));
      } catch (ExecutionException e) {
        out.addErrors("node " + name(node) + ": " + e.getCause().getMessage());
      } catch (TimeoutException e) {
        out.addErrors("node " + name(node) + " did not answer within " + TIMEOUT.toSeconds() + " s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.asRuntimeException();
      }
    });
    volumes.sort(Comparator.comparing(VolumeInfo::getNodeHostname).thenComparing(VolumeInfo::getName));
    return out.addAllVolumes(volumes).build();
  }

  private static List<VolumeInfo> withNode(List<VolumeInfo> volumes, Node node) {
    return volumes.stream().map(v -> v.toBuilder().setNodeId(node.getMeta().getId())
        .setNodeHostname(node.getDescription().getHostname()).build()).toList();
  }

  private static String name(Node n) {
    return n.getDescription().getHostname() + " (" + n.getMeta().getId() + ")";
  }

  private CompletableFuture<VolumeResponse> ask(Node node, VolumeRequest.Builder request) {
    CompletableFuture<VolumeResponse> answer = new CompletableFuture<>();
    try {
      NodeRequestRouter.Call call = router.open(node.getMeta().getId(), new NodeRequestRouter.ReplyListener() {
        @Override
        public void onReply(AgentReply reply) {
          if (reply.hasVolumes()) {
            answer.complete(reply.getVolumes());
          } else if (reply.hasError()) {
            answer.completeExceptionally(new IllegalStateException(reply.getError().getMessage()));
          }
        }

        @Override
        public void onClosed(StatusRuntimeException why) {
          answer.completeExceptionally(new IllegalStateException(why.getStatus().getDescription()));
        }
      });
      call.send(AgentRequest.newBuilder().setVolumes(request));
      answer.whenComplete((r, e) -> call.cancel());
    } catch (StatusRuntimeException e) {
      answer.completeExceptionally(new IllegalStateException(e.getStatus().getDescription()));
    }
    return answer;
  }
}
