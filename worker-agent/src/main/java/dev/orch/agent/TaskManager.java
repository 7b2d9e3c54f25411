package dev.orch.agent;

import dev.orch.agent.runtime.Container;
import dev.orch.agent.runtime.ContainerException;
import dev.orch.proto.AssignmentsMessage;
import dev.orch.proto.Image;
import dev.orch.proto.Task;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one controller per assigned task. A complete assignment set replaces the known set (tasks
 * missing from it are deleted); incremental ones add, update and delete. Containers recovered from
 * an earlier agent process are handed to their task's controller, or removed if no task claims
 * them.
 */
final class TaskManager {
  private static final Logger LOG = LoggerFactory.getLogger(TaskManager.class);

  private final TaskContext ctx;
  private final Map<String, TaskController> controllers = new HashMap<>();
  private final Map<String, Container> recovered = new HashMap<>();
  private boolean firstSetSeen;

  TaskManager(TaskContext ctx) {
    this.ctx = ctx;
    for (Container c : ctx.runtime.recover()) {
      recovered.put(c.id(), c);
    }
  }

  synchronized void apply(AssignmentsMessage m) {
    for (Image i : m.getImagesList()) {
      ctx.knownImages.put(i.getMeta().getId(), i);
    }
    ctx.registryAuth.putAll(m.getRegistryAuthMap());
    if (ctx.networks != null) {
      // Networks first: a task of this message may be about to connect to one of them.
      ctx.networks.apply(m.getNetworksList(), m.getRemoveNetworksList(),
          m.getType() == AssignmentsMessage.Type.COMPLETE);
    }
    ctx.files.remember(m.getSecretsList(), m.getConfigsList());
    if (m.getType() == AssignmentsMessage.Type.COMPLETE) {
      Set<String> present = new HashSet<>();
      m.getUpdateTasksList().forEach(t -> present.add(t.getMeta().getId()));
      controllers.keySet().stream().filter(id -> !present.contains(id)).toList()
          .forEach(this::delete);
    }
    for (Task t : m.getUpdateTasksList()) {
      TaskController c = controllers.get(t.getMeta().getId());
      if (c == null) {
        Image image = ctx.knownImages.get(t.getSpec().getImageDigest());
        if (image != null) {
          // before the task can prepare: a collection from now on keeps its image
          ctx.images.collector().pin(t.getMeta().getId(), image);
        }
        c = new TaskController(t, ctx, recovered.remove(t.getMeta().getId()));
        controllers.put(t.getMeta().getId(), c);
      }
      c.assign(t);
    }
    m.getRemoveTasksList().forEach(this::delete);
    if (m.getType() == AssignmentsMessage.Type.COMPLETE && !firstSetSeen) {
      firstSetSeen = true;
      removeUnclaimed();
      deleteLogsOfGoneTasks();
      ctx.images.collector().pinsComplete();
      if (ctx.networks != null) {
        ctx.networks.sweep(Set.copyOf(controllers.keySet()));
      }
    }
    controllers.values().removeIf(TaskController::finishedAndRemoved);
  }

  /** The latest assignment of a task this node runs, if any. */
  synchronized java.util.Optional<Task> task(String taskId) {
    TaskController c = controllers.get(taskId);
    return c == null ? java.util.Optional.empty() : java.util.Optional.of(c.task());
  }

  private void delete(String taskId) {
    ctx.registryAuth.remove(taskId);
    TaskController c = controllers.get(taskId);
    if (c != null) {
      c.delete();
    }
  }

  /** Logs of tasks removed while this agent was not running: no controller will ever delete them. */
  private void deleteLogsOfGoneTasks() {
    try {
      int n = dev.orch.agent.logs.LogRotator.deleteLogsExcept(ctx.logDir, Set.copyOf(controllers.keySet()));
      if (n > 0) {
        LOG.info("deleted the logs of {} tasks no longer in the cluster", n);
      }
    } catch (java.io.IOException e) {
      LOG.warn("deleting the logs of removed tasks failed: {}", e.toString());
    }
  }

  /** Containers of an earlier agent process that no task claims any more. */
  private void removeUnclaimed() {
    for (Container c : recovered.values()) {
      LOG.info("removing container {}: no task claims it", c.id());
      c.stop(ctx.stopGrace);
      c.exited().whenComplete((s, e) -> {
        try {
          ctx.runtime.remove(c.id());
        } catch (ContainerException ex) {
          LOG.warn("removing unclaimed container {} failed: {}", c.id(), ex.getMessage());
        }
      });
    }
    recovered.clear();
  }
}
