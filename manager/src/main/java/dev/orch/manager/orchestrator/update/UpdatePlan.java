package dev.orch.manager.orchestrator.update;

import dev.orch.manager.Actions;
import dev.orch.manager.orchestrator.Decision;
import dev.orch.manager.orchestrator.ServiceDefaults;
import dev.orch.manager.orchestrator.SlotPlan;
import dev.orch.manager.orchestrator.Slots;
import dev.orch.manager.orchestrator.TaskFactory;
import dev.orch.manager.orchestrator.TaskSpecs;
import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.proto.Service;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.UpdateConfig;
import dev.orch.proto.UpdateFailureAction;
import dev.orch.proto.UpdateOrder;
import dev.orch.proto.UpdateState;
import dev.orch.proto.UpdateStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One step of a rolling update or rollback, decided from the service and its tasks at a time.
 *
 * <p>A slot is <em>dirty</em> while a wanted task in it runs an older spec, and <em>in flight</em>
 * while its replacement is under way: the slot has no wanted task yet (stop-first: the old one is
 * stopping and the orchestrator fills the slot once it is gone), or its newest task of the current
 * spec has not reached RUNNING, or an old task still runs beside a new one (start-first: the
 * orchestrator retires the old one once the new one runs). Dirty slots are started, lowest
 * first, while fewer than {@code parallelism} are in flight and {@code delay} has passed since the
 * latest replacement started running.
 *
 * <p>A failure is a task of the current spec, created since the update started, that FAILED or
 * was REJECTED. Once failures exceed {@code max_failure_ratio} of the slots, the failure action
 * applies: pause, continue, or roll back (a rollback that fails pauses). The update completes when
 * no slot is dirty or in flight and the last replacement has run for {@code monitor}.
 */
public final class UpdatePlan {
  private final TaskFactory tasks;

  public UpdatePlan(TaskFactory tasks) {
    this.tasks = tasks;
  }

  /** Whether an update or rollback of {@code s} is under way. */
  public static boolean active(Service s) {
    UpdateState state = s.getUpdateStatus().getState();
    return state == UpdateState.UPDATING || state == UpdateState.ROLLBACK_STARTED;
  }

  /**
   * @param slotKeys the slots of the service now ({@link Slots#numbered} 1..replicas, or {@link
   *     Slots#onNode} for the nodes of a global service)
   */
  public Decision decide(Service service, List<Task> all, Collection<String> slotKeys, long now) {
    if (!active(service)) {
      return Decision.NOTHING;
    }
    boolean rollingBack = service.getUpdateStatus().getState() == UpdateState.ROLLBACK_STARTED;
    UpdateConfig config = ServiceDefaults.filled(rollingBack ? service.getSpec().getRollback() : service.getSpec().getUpdate());
    long startedAt = service.getUpdateStatus().getStartedAtMs();
    Progress p = progress(service, all, slotKeys, startedAt);
    Task failed = firstFailure(service, all, startedAt);
    if (failed != null && p.failures() > config.getMaxFailureRatio() * Math.max(1, slotKeys.size())) {
      UpdateFailureAction action = config.getFailureAction();
      if (rollingBack && action == UpdateFailureAction.FAILURE_ACTION_ROLLBACK) {
        action = UpdateFailureAction.FAILURE_ACTION_PAUSE;
      }
      String cause = "due to failure or early termination of task " + failed.getMeta().getId();
      if (action == UpdateFailureAction.FAILURE_ACTION_ROLLBACK && Rollbacks.possible(service)) {
        return Decision.of(List.of(Actions.update(Rollbacks.rollBack(service, now, "update rolled back " + cause))));
      }
      if (action != UpdateFailureAction.FAILURE_ACTION_CONTINUE) {
        return Decision.of(List.of(Actions.update(withStatus(service,
            rollingBack ? UpdateState.ROLLBACK_PAUSED : UpdateState.PAUSED, 0,
            (rollingBack ? "rollback paused " : "update paused ") + cause))));
      }
    }
    if (p.dirty().isEmpty() && p.inFlight() == 0) {
      long monitorEnd = p.lastStartedAt() + config.getMonitorMs();
      if (p.lastStartedAt() > 0 && now < monitorEnd) {
        return new Decision(List.of(), monitorEnd);
      }
      return Decision.of(List.of(Actions.update(withStatus(service,
          rollingBack ? UpdateState.ROLLBACK_COMPLETED : UpdateState.COMPLETED, now,
          rollingBack ? "rollback completed" : "update completed"))));
    }
    long free = config.getParallelism() == 0 ? Long.MAX_VALUE : config.getParallelism() - p.inFlight();
    if (free <= 0 || p.dirty().isEmpty()) {
      return Decision.NOTHING; // a task change wakes the updater when a replacement moves on
    }
    long gate = p.lastStartedAt() + config.getDelayMs();
    if (config.getDelayMs() > 0 && p.lastStartedAt() > 0 && now < gate) {
      return new Decision(List.of(), gate);
    }
    List<StoreAction> out = new ArrayList<>();
    for (Map.Entry<String, List<Task>> slot : p.dirty().entrySet()) {
      if (free-- <= 0) {
        break;
      }
      replace(service, config, slot.getKey(), slot.getValue(), out);
    }
    return Decision.of(out);
  }

  /** The slots' state: dirty ones (with their old tasks), how many are in flight, failures. */
  private record Progress(Map<String, List<Task>> dirty, long inFlight, long lastStartedAt, long failures) {}

  private static Progress progress(Service service, List<Task> all, Collection<String> slotKeys, long startedAt) {
    Map<String, List<Task>> bySlot = Slots.group(all);
    Map<String, List<Task>> dirty = new java.util.LinkedHashMap<>();
    long inFlight = 0;
    long lastStartedAt = 0;
    for (String key : Slots.sortedKeys(slotKeys)) {
      List<Task> wanted = bySlot.getOrDefault(key, List.of()).stream().filter(TaskStates::wanted).toList();
      List<Task> old = wanted.stream().filter(t -> !TaskSpecs.current(t, service)).toList();
      List<Task> current = wanted.stream().filter(t -> TaskSpecs.current(t, service)).toList();
      if (wanted.isEmpty() || (!old.isEmpty() && !current.isEmpty())) {
        inFlight++;
      } else if (!old.isEmpty()) {
        dirty.put(key, old);
      } else {
        Task newest = Slots.newest(current).orElseThrow();
        TaskState state = newest.getStatus().getState();
        if (state.getNumber() < TaskState.RUNNING_VALUE || state == TaskState.RUNNING && !TaskStates.serving(newest)) {
          inFlight++; // a health-checked task counts once it is healthy
        } else if (state == TaskState.RUNNING && newest.getMeta().getCreatedAtMs() >= startedAt) {
          lastStartedAt = Math.max(lastStartedAt, newest.getStatus().getTimestampMs());
        }
      }
    }
    long failures = all.stream().filter(t -> isFailure(service, t, startedAt)).count();
    return new Progress(dirty, inFlight, lastStartedAt, failures);
  }

  private static boolean isFailure(Service service, Task t, long startedAt) {
    TaskState s = t.getStatus().getState();
    return (s == TaskState.FAILED || s == TaskState.REJECTED)
        && t.getMeta().getCreatedAtMs() >= startedAt && TaskSpecs.current(t, service);
  }

  private static Task firstFailure(Service service, List<Task> all, long startedAt) {
    return all.stream().filter(t -> isFailure(service, t, startedAt)).min(Slots.OLDEST_FIRST).orElse(null);
  }

  /** Starts replacing one dirty slot: start-first creates the new task, stop-first stops the old. */
  private void replace(Service service, UpdateConfig config, String key, List<Task> old, List<StoreAction> out) {
    boolean oldRuns = old.stream().anyMatch(t -> !TaskStates.finished(t));
    if (config.getOrder() == UpdateOrder.ORDER_START_FIRST && oldRuns) {
      Task any = old.get(0);
      out.add(Actions.create(any.getGlobalNodeId().isEmpty()
          ? tasks.newTask(service, any.getSlot()) : tasks.newTask(service, any.getGlobalNodeId())));
    } else {
      old.forEach(t -> out.add(SlotPlan.shutDownAction(t)));
    }
  }

  private static Service withStatus(Service s, UpdateState state, long completedAt, String message) {
    UpdateStatus.Builder b = s.getUpdateStatus().toBuilder().setState(state).setMessage(message);
    if (completedAt > 0) {
      b.setCompletedAtMs(completedAt);
    }
    return s.toBuilder().setUpdateStatus(b).build();
  }
}
