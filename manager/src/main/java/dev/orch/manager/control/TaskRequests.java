package dev.orch.manager.control;

import dev.orch.manager.dispatcher.NodeRequestRouter;
import dev.orch.proto.AgentReply;
import dev.orch.proto.AgentRequest;
import dev.orch.proto.ExecInput;
import dev.orch.proto.ExecOutput;
import dev.orch.proto.ExecStart;
import dev.orch.proto.NodeStatsRequest;
import dev.orch.proto.StatsRequest;
import dev.orch.proto.StatsResponse;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStats;
import dev.orch.store.Store;
import dev.orch.store.StoreView;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The Control API calls that ask a task's node for something (exec, stats), over the request
 * channel its agent keeps open to the leader's dispatcher ({@link NodeRequestRouter}). Only the
 * leader has those channels: elsewhere the calls are refused with the leader's address.
 */
final class TaskRequests {
  /** How long a node may take to read its tasks' cgroups. */
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(5);

  private final Store store;
  private final NodeRequestRouter router;
  private final Supplier<java.util.Optional<String>> leaderAddress;

  TaskRequests(Store store, NodeRequestRouter router, Supplier<java.util.Optional<String>> leaderAddress) {
    this.store = store;
    this.router = router;
    this.leaderAddress = leaderAddress;
  }

  private void requireLeader(String what) {
    if (!store.isLeader()) {
      throw Status.FAILED_PRECONDITION.withDescription(what + " goes through the leader, which holds the nodes'"
          + " connections; this manager is not the leader: "
          + leaderAddress.get().map(a -> "run orchctl --host " + a + " instead")
              .orElse("no leader is known yet, retry")).asRuntimeException();
    }
  }

  /** Exec: the first message names the task and command; stdin follows; output and exit return. */
  StreamObserver<ExecInput> exec(StreamObserver<ExecOutput> out) {
    // A client that goes away stops the command (only settable before this method returns).
    java.util.concurrent.atomic.AtomicReference<NodeRequestRouter.Call> started =
        new java.util.concurrent.atomic.AtomicReference<>();
    if (out instanceof io.grpc.stub.ServerCallStreamObserver<ExecOutput> server) {
      server.setOnCancelHandler(() -> {
        NodeRequestRouter.Call c = started.get();
        if (c != null) {
          c.cancel();
        }
      });
    }
    return new StreamObserver<>() {
      private NodeRequestRouter.Call call;
      private boolean finished;

      @Override
      public void onNext(ExecInput in) {
        if (finished) {
          return;
        }
        try {
          if (call == null) {
            call = start(in, out);
            started.set(call);
          } else if (!in.hasStart()) {
            call.send(AgentRequest.newBuilder().setExec(in));
          }
        } catch (StatusRuntimeException e) {
          finished = true;
          out.onError(e);
        }
      }

      @Override
      public void onError(Throwable t) {
        finished = true;
        if (call != null) {
          call.cancel();
        }
      }

      @Override
      public void onCompleted() {
        // The client sent everything it will send: the command still runs until it exits.
        if (call != null && !finished) {
          call.send(AgentRequest.newBuilder().setExec(ExecInput.newBuilder().setCloseStdin(true)));
        }
      }
    };
  }

  private NodeRequestRouter.Call start(ExecInput in, StreamObserver<ExecOutput> out) {
    if (!in.hasStart()) {
      throw ServiceSpecValidator.invalid("an exec must start with the task and the command");
    }
    ExecStart start = in.getStart();
    if (start.getCommandCount() == 0 || start.getCommand(0).isEmpty()) {
      throw ServiceSpecValidator.invalid("no command given: orchctl exec TASK -- COMMAND [ARG...]");
    }
    if (start.getTtyRows() > 0xffff || start.getTtyCols() > 0xffff) {
      throw ServiceSpecValidator.invalid("terminal size " + start.getTtyRows() + "x" + start.getTtyCols()
          + " out of range: rows and columns are at most 65535");
    }
    requireLeader("exec");
    Task task = store.readLinearizable(v -> findTask(v, start.getTask()));
    if (task.getStatus().getState() != TaskState.RUNNING || task.getDesiredState() != TaskState.RUNNING) {
      throw Status.FAILED_PRECONDITION.withDescription("task " + task.getMeta().getId() + " is not running (it is "
          + task.getStatus().getState().name().toLowerCase(java.util.Locale.ROOT)
          + "); see orchctl service ps " + task.getServiceName()).asRuntimeException();
    }
    NodeRequestRouter.Call call = router.open(task.getNodeId(), new NodeRequestRouter.ReplyListener() {
      @Override
      public void onReply(AgentReply reply) {
        synchronized (out) {
          if (reply.hasError()) {
            out.onError(Status.FAILED_PRECONDITION.withDescription(reply.getError().getMessage()).asRuntimeException());
          } else if (reply.hasExec()) {
            out.onNext(reply.getExec());
            if (reply.getExec().hasExit()) {
              out.onCompleted();
            }
          }
        }
      }

      @Override
      public void onClosed(StatusRuntimeException why) {
        synchronized (out) {
          out.onError(why);
        }
      }
    });
    call.send(AgentRequest.newBuilder().setExec(ExecInput.newBuilder()
        .setStart(start.toBuilder().setTask(task.getMeta().getId()))));
    return call;
  }

  /** Stats: the running tasks asked for, grouped by node, each node asked once. */
  StatsResponse stats(StatsRequest req) {
    requireLeader("stats");
    List<Task> tasks = store.readLinearizable(v -> select(v, req));
    Map<String, List<Task>> byNode = new LinkedHashMap<>();
    for (Task t : tasks) {
      byNode.computeIfAbsent(t.getNodeId(), k -> new ArrayList<>()).add(t);
    }
    Map<String, CompletableFuture<List<TaskStats>>> answers = new LinkedHashMap<>();
    byNode.forEach((node, list) -> answers.put(node, ask(node, list)));
    Map<String, Task> byId = new LinkedHashMap<>();
    tasks.forEach(t -> byId.put(t.getMeta().getId(), t));
    List<TaskStats> all = new ArrayList<>();
    long deadline = System.nanoTime() + STATS_TIMEOUT.toNanos();
    answers.forEach((node, answer) -> {
      List<TaskStats> got;
      try {
        got = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        String why = e instanceof TimeoutException ? "node " + node + " did not answer within " + STATS_TIMEOUT
            : e.getCause().getMessage();
        got = byNode.get(node).stream().map(t -> TaskStats.newBuilder().setTaskId(t.getMeta().getId())
            .setError(why).build()).toList();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
      for (TaskStats s : got) {
        Task t = byId.get(s.getTaskId());
        if (t != null) {
          all.add(s.toBuilder().setNodeId(node).setTaskName(name(t)).build());
        }
      }
    });
    all.sort(Comparator.comparing(TaskStats::getTaskName));
    return StatsResponse.newBuilder().addAllStats(all).build();
  }

  private CompletableFuture<List<TaskStats>> ask(String node, List<Task> tasks) {
    CompletableFuture<List<TaskStats>> answer = new CompletableFuture<>();
    try {
      NodeRequestRouter.Call call = router.open(node, new NodeRequestRouter.ReplyListener() {
        @Override
        public void onReply(AgentReply reply) {
          if (reply.hasStats()) {
            answer.complete(reply.getStats().getStatsList());
          } else if (reply.hasError()) {
            answer.completeExceptionally(new IllegalStateException(reply.getError().getMessage()));
          }
        }

        @Override
        public void onClosed(StatusRuntimeException why) {
          answer.completeExceptionally(why);
        }
      });
      call.send(AgentRequest.newBuilder().setStats(NodeStatsRequest.newBuilder()
          .addAllTaskIds(tasks.stream().map(t -> t.getMeta().getId()).toList())));
      answer.whenComplete((r, e) -> call.cancel());
    } catch (StatusRuntimeException e) {
      answer.completeExceptionally(new IllegalStateException(e.getStatus().getDescription()));
    }
    return answer;
  }

  private static List<Task> select(StoreView v, StatsRequest req) {
    if (!req.getTask().isEmpty()) {
      return List.of(findTask(v, req.getTask()));
    }
    List<Task> candidates = req.getService().isEmpty() ? new ArrayList<>(v.tasks())
        : v.tasksByService(ControlService.findService(v, req.getService()).getMeta().getId());
    return candidates.stream()
        .filter(t -> t.getStatus().getState() == TaskState.RUNNING && t.getDesiredState() == TaskState.RUNNING)
        .toList();
  }

  /** Finds a task by id or unique id prefix. */
  static Task findTask(StoreView v, String ref) {
    if (ref.isEmpty()) {
      throw ServiceSpecValidator.invalid("no task given: name a task by its id (see orchctl service ps SERVICE)");
    }
    var exact = v.task(ref);
    if (exact.isPresent()) {
      return exact.get();
    }
    List<Task> byPrefix = v.tasks().stream().filter(t -> t.getMeta().getId().startsWith(ref)).toList();
    if (byPrefix.size() == 1) {
      return byPrefix.get(0);
    }
    if (byPrefix.size() > 1) {
      throw ServiceSpecValidator.invalid("task id prefix \"" + ref + "\" is ambiguous: give more characters");
    }
    throw Status.NOT_FOUND.withDescription("task \"" + ref + "\" not found; see orchctl service ps SERVICE")
        .asRuntimeException();
  }

  /** SERVICE.SLOT, or SERVICE.NODE for a global service's task, as service ps shows them. */
  static String name(Task t) {
    return t.getServiceName() + "." + (t.getGlobalNodeId().isEmpty() ? Long.toString(t.getSlot()) : t.getGlobalNodeId());
  }
}
