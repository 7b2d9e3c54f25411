package dev.orch.agent;

import com.google.protobuf.ByteString;
import dev.orch.agent.runtime.Cgroups;
import dev.orch.agent.runtime.ContainerException;
import dev.orch.agent.runtime.ResourceUsage;
import dev.orch.agent.runtime.TerminalSize;
import dev.orch.proto.AgentReply;
import dev.orch.proto.AgentRequest;
import dev.orch.proto.ExecExit;
import dev.orch.proto.ExecInput;
import dev.orch.proto.ExecOutput;
import dev.orch.proto.ExecStart;
import dev.orch.proto.NodeHello;
import dev.orch.proto.NodeStatsRequest;
import dev.orch.proto.NodeStatsResponse;
import dev.orch.proto.RequestError;
import dev.orch.proto.Task;
import dev.orch.proto.TaskStats;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's end of the manager -> node request channel ({@code Dispatcher.NodeRequests}): one
 * instance per session. Requests arrive in order on the stream's thread and are answered from
 * worker threads (an exec's relay holds one for the command's life);
 * replies are serialized here because a gRPC stream takes one writer at a time. A request kind is
 * one case in {@link #onNext} and one method answering it.
 */
final class NodeRequestHandler implements StreamObserver<AgentRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRequestHandler.class);
  private static final int OUTPUT_CHUNK = 32 * 1024;

  private final TaskContext ctx;
  private final Function<String, Optional<Task>> tasks;
  private final ExecutorService workers;
  private final java.util.function.Consumer<Throwable> broken;
  private final Map<String, Process> execs = new ConcurrentHashMap<>();
  private final NodeLogStreams logStreams;
  private StreamObserver<AgentReply> replies;
  private volatile boolean closed;

  /** @param broken told when the manager ends the stream: the session is then rebuilt */
  NodeRequestHandler(TaskContext ctx, Function<String, Optional<Task>> tasks, ExecutorService workers,
      java.util.function.Consumer<Throwable> broken) {
    this.ctx = ctx;
    this.tasks = tasks;
    this.workers = workers;
    this.broken = broken;
    this.logStreams = new NodeLogStreams(ctx.logDir);
  }

  /** Starts answering on {@code replies}, announcing this node's session first. */
  void open(StreamObserver<AgentReply> replies, String nodeId, String sessionId) {
    this.replies = replies;
    send(AgentReply.newBuilder()
        .setHello(NodeHello.newBuilder().setNodeId(nodeId).setSessionId(sessionId)).build());
  }

  @Override
  public void onNext(AgentRequest request) {
    String id = request.getRequestId();
    switch (request.getKindCase()) {
      case EXEC -> exec(id, request.getExec());
      case STATS -> workers.execute(() -> stats(id, request.getStats()));
      case VOLUMES -> workers.execute(() -> volumes(id, request.getVolumes()));
      case LOGS -> workers.execute(() -> logs(id, request.getLogs()));
      case IMAGES -> workers.execute(() -> images(id, request.getImages()));
      case CANCEL -> {
        logStreams.cancel(id);
        Process p = execs.remove(id);
        if (p != null) {
          p.destroyForcibly();
        }
      }
      default -> error(id, "this node does not know request kind " + request.getKindCase()
          + "; upgrade orchd on it");
    }
  }

  private void exec(String id, ExecInput input) {
    switch (input.getKindCase()) {
      // Started here, on the stream's thread, so that stdin that follows finds the process.
      case START -> startExec(id, input.getStart());
      case STDIN -> write(id, input.getStdin().toByteArray(), false);
      case CLOSE_STDIN -> write(id, new byte[0], true);
      default -> { }
    }
  }

  private void startExec(String id, ExecStart start) {
    Process p;
    try {
      if (tasks.apply(start.getTask()).isEmpty()) {
        throw new ContainerException("task " + start.getTask() + " does not run on this node");
      }
      p = ctx.runtime.startExec(start.getTask(), start.getCommandList(), start.getEnvList(), start.getWorkdir(),
          start.getUser(), start.getTty() ? terminal(start) : null);
    } catch (ContainerException e) {
      error(id, e.getMessage());
      return;
    }
    if (!start.getStdin()) {
      close(p.getOutputStream());
    }
    execs.put(id, p);
    if (closed) {
      p.destroyForcibly();
    }
    workers.execute(() -> relayOutput(id, p));
  }

  private static TerminalSize terminal(ExecStart start) throws ContainerException {
    try {
      return TerminalSize.orDefault(start.getTtyRows(), start.getTtyCols());
    } catch (IllegalArgumentException e) {
      throw new ContainerException(e.getMessage());
    }
  }

  /** Sends the command's output as it comes, then its exit code. */
  private void relayOutput(String id, Process p) {
    byte[] buf = new byte[OUTPUT_CHUNK];
    try (InputStream out = p.getInputStream()) {
      for (int n = out.read(buf); n >= 0; n = out.read(buf)) {
        if (n > 0) {
          send(AgentReply.newBuilder().setRequestId(id).setExec(
              ExecOutput.newBuilder().setOutput(ByteString.copyFrom(buf, 0, n))).build());
        }
      }
      int code = p.waitFor();
      if (execs.remove(id) != null) {
        send(AgentReply.newBuilder().setRequestId(id).setExec(
            ExecOutput.newBuilder().setExit(ExecExit.newBuilder().setExitCode(code))).build());
      }
    } catch (IOException e) {
      if (execs.remove(id) != null) {
        error(id, "reading the command's output: " + e.getMessage());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void write(String id, byte[] data, boolean eof) {
    Process p = execs.get(id);
    if (p == null) {
      return;
    }
    OutputStream in = p.getOutputStream();
    try {
      in.write(data);
      in.flush();
      if (eof) {
        in.close();
      }
    } catch (IOException e) {
      // The command closed its stdin or ended: its exit is reported by relayOutput.
      close(in);
    }
  }

  private static void close(OutputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // nothing was written that could be lost
    }
  }

  private void stats(String id, NodeStatsRequest request) {
    NodeStatsResponse.Builder answer = NodeStatsResponse.newBuilder();
    int cpus = Runtime.getRuntime().availableProcessors();
    for (String taskId : request.getTaskIdsList()) {
      TaskStats.Builder s = TaskStats.newBuilder().setTaskId(taskId).setOnlineCpus(cpus);
      Optional<Task> task = tasks.apply(taskId);
      try {
        if (task.isEmpty()) {
          throw new ContainerException("task does not run on this node");
        }
        ResourceUsage usage = ctx.runtime.usage(taskId);
        var limits = task.get().getSpec().getLimits();
        s.setReadTimeMs(ctx.clock.millis())
            .setCpuNanos(usage.cpuNanos())
            .setMemoryBytes(usage.memoryBytes())
            .setMemoryLimitBytes(limits.getMemoryBytes())
            .setPids(usage.pids())
            .setPidsLimit(limits.getPids() > 0 ? limits.getPids() : Cgroups.DEFAULT_PIDS_MAX);
      } catch (ContainerException e) {
        s.setError(e.getMessage());
      }
      answer.addStats(s);
    }
    send(AgentReply.newBuilder().setRequestId(id).setStats(answer).build());
  }

  private void logs(String id, dev.orch.proto.NodeLogsRequest request) {
    try {
      logStreams.serve(id, request, this::send, () -> closed);
    } catch (IOException e) {
      error(id, "reading the logs failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void volumes(String id, dev.orch.proto.VolumeRequest request) {
    try {
      send(AgentReply.newBuilder().setRequestId(id).setVolumes(NodeVolumes.answer(ctx.volumes, request)).build());
    } catch (IOException | IllegalStateException e) {
      error(id, e.getMessage());
    }
  }

  private void images(String id, dev.orch.proto.NodeImageRequest request) {
    try {
      send(AgentReply.newBuilder().setRequestId(id)
          .setImages(NodeImages.answer(ctx.images.collector(), request)).build());
    } catch (IOException | IllegalStateException e) {
      error(id, e.getMessage());
    }
  }

  private void error(String id, String message) {
    send(AgentReply.newBuilder().setRequestId(id)
        .setError(RequestError.newBuilder().setMessage(message)).build());
  }

  private synchronized void send(AgentReply reply) {
    if (closed) {
      return;
    }
    try {
      replies.onNext(reply);
    } catch (RuntimeException e) {
      LOG.debug("request channel closed while answering: {}", e.toString());
    }
  }

  /**
   * The session ended: the stream is cancelled and every command still running is killed (its
   * caller is gone).
   */
  void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        replies.onError(io.grpc.Status.CANCELLED.withDescription("session ended").asRuntimeException());
      } catch (RuntimeException e) {
        // already closed by the transport
      }
    }
    execs.values().forEach(Process::destroyForcibly);
    execs.clear();
  }

  @Override
  public void onError(Throwable t) {
    close();
    broken.accept(t);
  }

  @Override
  public void onCompleted() {
    close();
    broken.accept(new IOException("the manager closed the request channel"));
  }
}
