package dev.orch.bench.sim;

import dev.orch.proto.AssignmentsMessage;
import dev.orch.proto.AssignmentsRequest;
import dev.orch.proto.DispatcherGrpc;
import dev.orch.proto.HeartbeatRequest;
import dev.orch.proto.HeartbeatResponse;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.SessionMessage;
import dev.orch.proto.SessionRequest;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import dev.orch.proto.TaskStatusUpdate;
import dev.orch.proto.UpdateTaskStatusRequest;
import dev.orch.proto.UpdateTaskStatusResponse;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIMULATION: one worker node without a runtime. It opens a session, heartbeats at the period the
 * dispatcher sets, and answers its assignments as an agent whose containers start instantly: a new
 * task is reported ACCEPTED, then RUNNING once that report is acknowledged; a task the orchestrator
 * wants stopped is reported SHUTDOWN. Reports are batched like the real agent's: one call in flight
 * per node, later reports of the same task replace earlier unsent ones.
 *
 * <p>Everything is asynchronous, so a thousand workers need no thread each. A broken session is
 * reopened after a short delay, as a real agent would.
 */
public final class SimulatedWorker implements AutoCloseable {
  private static final long RECONNECT_MS = 200;
  /** Reconnects back off up to this, with jitter, so that thousands of nodes do not all come back at once. */
  private static final long RECONNECT_MAX_MS = 10_000;

  private final String nodeId;
  private final NodeDescription description;
  private final DispatcherGrpc.DispatcherStub dispatcher;
  private final ScheduledExecutorService timers;
  private final Clock clock;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The last state reported (or queued) per task, so echoes of our own reports are ignored. */
  private final Map<String, TaskState> reported = new HashMap<>();
  private final Map<String, TaskState> unsent = new LinkedHashMap<>();
  private boolean inFlight;
  private String sessionId;
  private int session;
  private ScheduledFuture<?> heartbeats;
  /** Only the first broken session of a node is printed, so a flapping manager does not flood. */
  private boolean complainedOnce;
  /** Sessions broken in a row; reset once a session opens. */
  private int failures;

  public SimulatedWorker(String nodeId, NodeDescription description, Channel channel,
      ScheduledExecutorService timers, Clock clock) {
    this.nodeId = nodeId;
    this.description = description;
    this.dispatcher = DispatcherGrpc.newStub(channel);
    this.timers = timers;
    this.clock = clock;
  }

  public String nodeId() {
    return nodeId;
  }

  public void start() {
    openSession();
  }

  private synchronized void openSession() {
    if (closed.get()) {
      return;
    }
    int mine = ++session;
    dispatcher.session(SessionRequest.newBuilder().setNodeId(nodeId).setDescription(description)
        .setAddr("sim").build(), new StreamObserver<>() {
          @Override
          public void onNext(SessionMessage m) {
            opened(mine, m);
          }

          @Override
          public void onError(Throwable t) {
            broken(mine, "session", t);
          }

          @Override
          public void onCompleted() {
            broken(mine, "session", null);
          }
        });
  }

  private synchronized void opened(int mine, SessionMessage m) {
    if (mine != session) {
      return;
    }
    sessionId = m.getSessionId();
    failures = 0;
    long period = Math.max(100, m.getHeartbeatPeriodMs());
    heartbeats = timers.scheduleAtFixedRate(() -> heartbeat(mine), period, period, TimeUnit.MILLISECONDS);
    dispatcher.assignments(AssignmentsRequest.newBuilder().setNodeId(nodeId).setSessionId(sessionId).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(AssignmentsMessage a) {
            assigned(mine, a);
          }

          @Override
          public void onError(Throwable t) {
            broken(mine, "assignments", t);
          }

          @Override
          public void onCompleted() {
            broken(mine, "assignments", null);
          }
        });
    flush();
  }

  /** Ends the session and opens a new one shortly; unsent reports are kept for it. */
  private synchronized void broken(int mine, String call, Throwable why) {
    if (mine != session || closed.get()) {
      return;
    }
    if (!complainedOnce) {
      complainedOnce = true;
      System.err.println("simulated worker " + nodeId + ": " + call + " ended (" + why + "); reconnecting");
    }
    session++;
    sessionId = null;
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
    long backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_MS << Math.min(failures++, 6));
    timers.schedule(this::openSession, backoff / 2 + java.util.concurrent.ThreadLocalRandom.current()
        .nextLong(backoff / 2 + 1), TimeUnit.MILLISECONDS);
  }

  private void heartbeat(int mine) {
    String id;
    synchronized (this) {
      if (mine != session || sessionId == null) {
        return;
      }
      id = sessionId;
    }
    dispatcher.withDeadlineAfter(10, TimeUnit.SECONDS).heartbeat(
        HeartbeatRequest.newBuilder().setNodeId(nodeId).setSessionId(id).build(), new StreamObserver<>() {
          @Override
          public void onNext(HeartbeatResponse r) {}

          @Override
          public void onError(Throwable t) {
            broken(mine, "heartbeat", t);
          }

          @Override
          public void onCompleted() {}
        });
  }

  private synchronized void assigned(int mine, AssignmentsMessage a) {
    if (mine != session) {
      return;
    }
    for (Task t : a.getUpdateTasksList()) {
      String id = t.getMeta().getId();
      TaskState observed = t.getStatus().getState();
      TaskState known = reported.getOrDefault(id, observed);
      boolean wanted = t.getDesiredState().getNumber() <= TaskState.RUNNING_VALUE;
      if (wanted && known == TaskState.ASSIGNED) {
        report(id, TaskState.ACCEPTED);
      } else if (!wanted && known.getNumber() <= TaskState.RUNNING_VALUE) {
        report(id, TaskState.SHUTDOWN);
      }
    }
    for (String id : a.getRemoveTasksList()) {
      reported.remove(id);
      unsent.remove(id);
    }
    flush();
  }

  private void report(String taskId, TaskState state) {
    reported.put(taskId, state);
    unsent.put(taskId, state);
  }

  private synchronized void flush() {
    if (inFlight || unsent.isEmpty() || sessionId == null) {
      return;
    }
    List<TaskStatusUpdate> batch = new ArrayList<>(unsent.size());
    long now = clock.millis();
    unsent.forEach((id, state) -> batch.add(TaskStatusUpdate.newBuilder().setTaskId(id)
        .setStatus(TaskStatus.newBuilder().setState(state).setTimestampMs(now)
            .setMessage(state == TaskState.RUNNING ? "started (simulated)" : "simulated"))
        .build()));
    Map<String, TaskState> sent = new LinkedHashMap<>(unsent);
    unsent.clear();
    inFlight = true;
    dispatcher.withDeadlineAfter(30, TimeUnit.SECONDS).updateTaskStatus(UpdateTaskStatusRequest.newBuilder()
        .setNodeId(nodeId).setSessionId(sessionId).addAllUpdates(batch).build(), new StreamObserver<>() {
          @Override
          public void onNext(UpdateTaskStatusResponse r) {}

          @Override
          public void onError(Throwable t) {
            acknowledged(sent, false);
          }

          @Override
          public void onCompleted() {
            acknowledged(sent, true);
          }
        });
  }

  /** An accepted task "starts" as soon as its acceptance is recorded; a failed batch is resent. */
  private synchronized void acknowledged(Map<String, TaskState> sent, boolean ok) {
    inFlight = false;
    sent.forEach((id, state) -> {
      if (!reported.containsKey(id) || unsent.containsKey(id)) {
        return; // removed meanwhile, or a newer report is already queued
      }
      if (!ok) {
        unsent.put(id, state);
      } else if (state == TaskState.ACCEPTED && reported.get(id) == TaskState.ACCEPTED) {
        report(id, TaskState.RUNNING);
      }
    });
    if (ok) {
      flush();
    } else {
      timers.schedule(this::flush, RECONNECT_MS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void close() {
    closed.set(true);
    session++;
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
  }
}
