package dev.orch.agent;

import dev.orch.proto.TaskStatus;
import dev.orch.proto.TaskStatusUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects task status reports and sends them in batches: while one batch is in flight the next
 * accumulates, keeping only the latest status of each task (the manager accepts any forward jump).
 * A batch that fails to send is merged back unless a newer report for the task arrived meanwhile.
 */
public final class TaskStatusBatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskStatusBatcher.class);

  private final Map<String, TaskStatus> pending = new LinkedHashMap<>();
  private final Thread sender;
  private Consumer<List<TaskStatusUpdate>> sink;
  private boolean closed;
  private int failures;

  public TaskStatusBatcher() {
    sender = new Thread(this::run, "task-status-batcher");
    sender.setDaemon(true);
    sender.start();
  }

  /** Where batches go; null while there is no session (reports wait). */
  public synchronized void connect(Consumer<List<TaskStatusUpdate>> sink) {
    this.sink = sink;
    notifyAll();
  }

  public synchronized void report(String taskId, TaskStatus status) {
    pending.put(taskId, status);
    notifyAll();
  }

  private void run() {
    while (true) {
      List<TaskStatusUpdate> batch = new ArrayList<>();
      Consumer<List<TaskStatusUpdate>> target;
      synchronized (this) {
        while (!closed && (pending.isEmpty() || sink == null)) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        pending.forEach((id, s) -> batch.add(TaskStatusUpdate.newBuilder().setTaskId(id).setStatus(s).build()));
        pending.clear();
        target = sink;
      }
      try {
        target.accept(batch);
        synchronized (this) {
          failures = 0;
        }
      } catch (RuntimeException e) {
        LOG.info("sending {} task status reports failed, will resend: {}", batch.size(), e.toString());
        requeue(batch, target);
      }
    }
  }

  private synchronized void requeue(List<TaskStatusUpdate> batch, Consumer<List<TaskStatusUpdate>> failed) {
    for (TaskStatusUpdate u : batch) {
      pending.putIfAbsent(u.getTaskId(), u.getStatus());
    }
    failures++;
    long backoffMs = Math.min(2_000, 25L << Math.min(failures, 7));
    long deadline = System.nanoTime() + backoffMs * 1_000_000;
    // Back off, but resend at once if a new session replaces the failed one.
    while (!closed && sink == failed && System.nanoTime() < deadline) {
      try {
        wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}
