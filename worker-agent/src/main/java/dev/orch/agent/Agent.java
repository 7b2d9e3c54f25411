package dev.orch.agent;

import dev.orch.agent.image.BlobSource;
import dev.orch.proto.AssignmentsMessage;
import dev.orch.proto.AssignmentsRequest;
import dev.orch.proto.DispatcherGrpc;
import dev.orch.proto.FetchBlobRequest;
import dev.orch.proto.HeartbeatRequest;
import dev.orch.proto.SessionMessage;
import dev.orch.proto.SessionRequest;
import dev.orch.proto.TaskStatusUpdate;
import dev.orch.proto.UpdateTaskStatusRequest;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker agent: opens a session with the dispatcher, keeps it alive with heartbeats, applies
 * the assignment stream and sends task status in batches. Any failure of the session tears it down
 * and a new one is opened after a jittered backoff; running containers are not touched meanwhile.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  private static final long CALL_TIMEOUT_MS = 10_000;
  /** Longest pause between session attempts (jittered down to half). */
  private static final long MAX_BACKOFF_MS = 2_000;

  private final AgentConfig config;
  private final ManagerDirectory managers;
  /** The channel of the current session; replaced when a session starts (e.g. after certificate renewal). */
  private volatile Channel channel;
  private final TaskStatusBatcher statuses = new TaskStatusBatcher();
  private final ExecutorService taskExecutor;
  /** Answers manager requests (exec relays hold a thread each for the command's life). */
  private final ExecutorService requestExecutor;
  private final ScheduledExecutorService healthChecks;
  private final TaskContext ctx;
  private final TaskManager tasks;
  private final ScheduledExecutorService timers;
  private final Thread sessionLoop;
  private volatile boolean closed;

  /**
   * @param managers gives the channel to a manager for each new session: the leader once known,
   *     rebuilt with a renewed certificate when there is one
   */
  public Agent(AgentConfig config, ManagerDirectory managers) {
    this(config, managers, null, "networking is not set up on this node");
  }

  /**
   * @param networks connects task containers to their networks; null when this node cannot, with
   *     {@code networksUnavailable} saying why (tasks on networks are then rejected with it)
   */
  public Agent(AgentConfig config, ManagerDirectory managers, dev.orch.agent.net.ContainerNetworks networks,
      String networksUnavailable) {
    this.config = config;
    this.managers = managers;
    this.channel = managers.current();
    this.taskExecutor = Executors.newFixedThreadPool(8, daemon("task-controller"));
    this.timers = Executors.newSingleThreadScheduledExecutor(daemon("agent-heartbeat"));
    this.requestExecutor = Executors.newCachedThreadPool(daemon("node-request"));
    this.healthChecks = Executors.newScheduledThreadPool(4, daemon("health-check"));
    this.ctx = new TaskContext(config, statuses, taskExecutor, healthChecks, networks, networksUnavailable);
    this.ctx.blobs = new DispatcherBlobSource();
    this.tasks = new TaskManager(ctx);
    this.sessionLoop = new Thread(this::runSessions, "agent-session");
    this.sessionLoop.setDaemon(true);
  }

  public void start() {
    sessionLoop.start();
    // Logs are bounded whether or not a manager is reachable.
    timers.scheduleWithFixedDelay(this::rotateLogs, 1, 1, TimeUnit.SECONDS);
    long gcMs = config.images().collector().policy().period().toMillis();
    timers.scheduleWithFixedDelay(this::collectImages, gcMs, gcMs, TimeUnit.MILLISECONDS);
  }

  private void rotateLogs() {
    try {
      config.logRotator().rotateAll();
    } catch (IOException | RuntimeException e) {
      LOG.warn("rotating container logs failed (retried in a second): {}", e.toString());
    }
  }

  private void collectImages() {
    try {
      config.images().collector().collectGarbage();
    } catch (IOException | RuntimeException e) {
      LOG.warn("image garbage collection failed (retried at the next period): {}", e.toString());
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private void runSessions() {
    long backoffMs = 50;
    while (!closed) {
      CompletableFuture<Void> ended = new CompletableFuture<>();
      boolean followedHint = false;
      try {
        runSession(ended);
        backoffMs = 50;
      } catch (Exception e) {
        if (!closed) {
          LOG.info("session with {} failed: {}", managers.currentAddress(), e.toString());
          followedHint = managers.sessionFailed(e);
        }
      }
      if (closed) {
        return;
      }
      long jittered = backoffMs / 2 + (long) (config.random().nextDouble() * backoffMs / 2);
      try {
        Thread.sleep(jittered); // reconnect backoff, not a test wait
      } catch (InterruptedException e) {
        return;
      }
      // A leader hint is news: the named manager is tried after the same pause, not a longer one.
      // The cap bounds how long a node stays without a session once a leader serves again.
      if (!followedHint) {
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
    }
  }

  /** Runs one session until it breaks. */
  private void runSession(CompletableFuture<Void> ended) throws Exception {
    channel = managers.current();
    var async = DispatcherGrpc.newStub(channel);
    CompletableFuture<SessionMessage> opened = new CompletableFuture<>();
    async.session(SessionRequest.newBuilder()
        .setNodeId(config.nodeId())
        .setDescription(config.description())
        .setAddr(config.advertiseAddr())
        .build(), new StreamObserver<>() {
          @Override
          public void onNext(SessionMessage m) {
            opened.complete(m);
          }

          @Override
          public void onError(Throwable t) {
            opened.completeExceptionally(t);
            ended.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            ended.complete(null);
          }
        });
    SessionMessage session = opened.get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    String sessionId = session.getSessionId();
    LOG.info("session {} open with {} (heartbeat every {} ms)", sessionId, managers.currentAddress(),
        session.getHeartbeatPeriodMs());
    managers.managersLearned(session.getManagersList());
    managers.roleAssigned(session.getRole());
    NodeRequestHandler requests = null;
    ScheduledFuture<?> heartbeats = timers.scheduleWithFixedDelay(
        () -> heartbeat(sessionId, ended), session.getHeartbeatPeriodMs(),
        session.getHeartbeatPeriodMs(), TimeUnit.MILLISECONDS);
    try {
      async.assignments(AssignmentsRequest.newBuilder()
          .setNodeId(config.nodeId()).setSessionId(sessionId).build(), new StreamObserver<>() {
            @Override
            public void onNext(AssignmentsMessage m) {
              tasks.apply(m);
            }

            @Override
            public void onError(Throwable t) {
              ended.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              ended.complete(null);
            }
          });
      statuses.connect(batch -> sendStatus(sessionId, batch));
      requests = new NodeRequestHandler(ctx, tasks::task, requestExecutor, ended::completeExceptionally);
      requests.open(async.nodeRequests(requests), config.nodeId(), sessionId);
      ended.join();
    } finally {
      heartbeats.cancel(false);
      statuses.connect(null);
      if (requests != null) {
        requests.close();
      }
    }
  }

  private void heartbeat(String sessionId, CompletableFuture<Void> ended) {
    try {
      DispatcherGrpc.newBlockingStub(channel)
          .withDeadlineAfter(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .heartbeat(HeartbeatRequest.newBuilder().setNodeId(config.nodeId()).setSessionId(sessionId).build());
    } catch (RuntimeException e) {
      ended.completeExceptionally(e);
    }
  }

  private void sendStatus(String sessionId, List<TaskStatusUpdate> batch) {
    DispatcherGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .updateTaskStatus(UpdateTaskStatusRequest.newBuilder()
            .setNodeId(config.nodeId())
            .setSessionId(sessionId)
            .addAllUpdates(batch)
            .build());
  }

  /** Downloads blobs from the managers over the dispatcher connection. */
  private final class DispatcherBlobSource implements BlobSource {
    @Override
    public InputStream open(String digest) throws IOException {
      return ChunkStreams.fetch(() -> DispatcherGrpc.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.MINUTES)
          .fetchBlob(FetchBlobRequest.newBuilder().setDigest(digest).build()));
    }
  }

  @Override
  public void close() {
    closed = true;
    sessionLoop.interrupt();
    statuses.close();
    timers.shutdownNow();
    taskExecutor.shutdownNow();
    requestExecutor.shutdownNow();
    healthChecks.shutdownNow();
  }
}
