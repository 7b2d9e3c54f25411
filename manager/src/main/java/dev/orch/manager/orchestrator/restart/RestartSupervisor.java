package dev.orch.manager.orchestrator.restart;

import dev.orch.manager.Actions;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.orchestrator.Commits;
import dev.orch.manager.orchestrator.Decision;
import dev.orch.manager.orchestrator.EligibleNodes;
import dev.orch.manager.orchestrator.GoDurations;
import dev.orch.manager.orchestrator.ServiceDefaults;
import dev.orch.manager.orchestrator.ServiceModes;
import dev.orch.manager.orchestrator.Slots;
import dev.orch.manager.orchestrator.TaskFactory;
import dev.orch.manager.orchestrator.TaskSpecs;
import dev.orch.manager.orchestrator.TaskStates;
import dev.orch.manager.orchestrator.Wakeups;
import dev.orch.manager.orchestrator.WorkQueue;
import dev.orch.proto.RestartCondition;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.Service;
import dev.orch.proto.SlotRestarts;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Replaces the ended task of a slot by the service's restart policy: condition (none, on-failure,
 * any), delay from the task's end, and at most max-attempts restarts of the slot within the
 * window. The restart times travel from each task to its replacement ({@link SlotRestarts}), so
 * the count survives a change of leader; a slot the policy gives up on keeps its ended task, marked
 * with the reason, until the service is updated. Completed tasks of jobs are never restarted.
 *
 * <p>A restart is one transaction: the ended task gets desired state SHUTDOWN and the new task
 * is created, both against the versions read, so a concurrent updater or orchestrator loses
 * cleanly and retries. Delays are measured on the injected clock from the time the manager
 * recorded the end; the queue is woken when the earliest one is due.
 */
public final class RestartSupervisor implements WorkQueue.Reconciler<String> {
  private final StoreWriter writer;
  private final TaskFactory tasks;
  private final Clock clock;
  private final Wakeups wakeups;

  public RestartSupervisor(StoreWriter writer, TaskFactory tasks, Clock clock, Wakeups wakeups) {
    this.writer = writer;
    this.tasks = tasks;
    this.clock = clock;
    this.wakeups = wakeups;
  }

  private record State(Optional<Service> service, List<Task> tasks, Set<String> runnableNodes) {}

  @Override
  public void reconcile(String serviceId) {
    State s = writer.store().read(v -> {
      Optional<Service> service = v.service(serviceId);
      Set<String> runnable = service.map(x -> EligibleNodes.mayRun(v.nodes(), x.getSpec())).orElse(Set.of());
      return new State(service, List.copyOf(v.tasksByService(serviceId)), runnable);
    });
    if (s.service().isEmpty()) {
      return;
    }
    Commits.apply(writer, wakeups, serviceId, decide(s.service().get(), s.tasks(), s.runnableNodes(), clock.millis()),
        "restarting tasks of service");
  }

  /**
   * The restarts due at {@code now}, and when the next delayed one is due.
   *
   * @param runnableNodes for global services, the nodes where the service may still run; a slot
   *     on another node is the global orchestrator's to remove, not to restart
   */
  public Decision decide(Service service, List<Task> all, Set<String> runnableNodes, long now) {
    if (all.stream().noneMatch(t -> TaskStates.wanted(t) && TaskStates.finished(t) && !t.getRestarts().getGivenUp())) {
      return Decision.NOTHING; // the common case, found without grouping a large service by slot
    }
    List<StoreAction> out = new ArrayList<>();
    long wake = 0;
    boolean global = ServiceModes.isGlobal(service.getSpec());
    for (Map.Entry<String, List<Task>> slot : Slots.group(all).entrySet()) {
      List<Task> inSlot = slot.getValue();
      Task ended = endedTask(inSlot);
      if (ended == null || !slotExists(service, ended, global, runnableNodes)) {
        continue;
      }
      if (ended.getStatus().getState() == TaskState.COMPLETE && ServiceModes.isJob(service.getSpec())) {
        continue; // the job's slot is done
      }
      Verdict v = verdict(service, ended, now);
      if (v.refusal() != null) {
        out.add(Actions.update(giveUp(ended, v.refusal())));
      } else if (v.dueAtMs() > now) {
        wake = Decision.earliest(wake, v.dueAtMs());
      } else {
        out.add(Actions.update(ended.toBuilder().setDesiredState(TaskState.SHUTDOWN).build()));
        out.add(Actions.create(replacement(service, ended, v.history(), now)));
      }
    }
    return new Decision(out, wake);
  }

  /** The slot's ended task waiting for a decision: wanted, finished, no live task beside it. */
  private static Task endedTask(List<Task> inSlot) {
    List<Task> wanted = inSlot.stream().filter(TaskStates::wanted).toList();
    if (wanted.isEmpty() || wanted.stream().anyMatch(t -> !TaskStates.finished(t))) {
      return null;
    }
    Task newest = Slots.newest(wanted).orElseThrow();
    return newest.getRestarts().getGivenUp() ? null : newest;
  }

  private static boolean slotExists(Service service, Task t, boolean global, Set<String> runnableNodes) {
    if (global) {
      return runnableNodes.contains(t.getGlobalNodeId());
    }
    return t.getSlot() >= 1 && t.getSlot() <= service.getSpec().getReplicas();
  }

  /** Restart (at {@code dueAtMs}, with the slot's restart history) or not ({@code refusal}). */
  private record Verdict(String refusal, long dueAtMs, List<Long> history) {}

  private static Verdict verdict(Service service, Task ended, long now) {
    RestartPolicy policy = ServiceDefaults.restart(service.getSpec());
    boolean completed = ended.getStatus().getState() == TaskState.COMPLETE;
    RestartCondition condition = policy.getCondition();
    if (condition == RestartCondition.RESTART_NONE) {
      return new Verdict("not restarted: the restart condition is none", 0, List.of());
    }
    if (completed && condition == RestartCondition.RESTART_ON_FAILURE) {
      return new Verdict("completed; not restarted: the restart condition is on-failure", 0, List.of());
    }
    List<Long> history = TaskSpecs.current(ended, service) ? inWindow(ended.getRestarts(), policy, now) : List.of();
    if (policy.getMaxAttempts() > 0 && history.size() >= policy.getMaxAttempts()) {
      return new Verdict("not restarted: the restart policy allows " + policy.getMaxAttempts() + " attempts"
          + (policy.getWindowMs() > 0 ? " within " + GoDurations.of(policy.getWindowMs()) : "")
          + " and all were used", 0, history);
    }
    return new Verdict(null, ended.getMeta().getUpdatedAtMs() + policy.getDelayMs(), history);
  }

  /** The restarts that count at {@code now}: those within the window, if there is one. */
  private static List<Long> inWindow(SlotRestarts restarts, RestartPolicy policy, long now) {
    return restarts.getRestartedAtMsList().stream()
        .filter(at -> policy.getWindowMs() <= 0 || at > now - policy.getWindowMs())
        .toList();
  }

  private static Task giveUp(Task ended, String reason) {
    return ended.toBuilder()
        .setRestarts(ended.getRestarts().toBuilder().setGivenUp(true))
        .setStatus(ended.getStatus().toBuilder().setMessage(reason))
        .build();
  }

  private Task replacement(Service service, Task ended, List<Long> history, long now) {
    Task t = ended.getGlobalNodeId().isEmpty()
        ? tasks.newTask(service, ended.getSlot())
        : tasks.newTask(service, ended.getGlobalNodeId());
    RestartPolicy policy = ServiceDefaults.restart(service.getSpec());
    List<Long> kept = new ArrayList<>(history);
    kept.add(now);
    // Only as many as the policy can ever count (the latest alone when it counts none), so the
    // record stays small however long the slot lives.
    int max = (int) Math.min(Integer.MAX_VALUE, Math.max(1, policy.getMaxAttempts()));
    List<Long> bounded = kept.size() > max ? kept.subList(kept.size() - max, kept.size()) : kept;
    return t.toBuilder().setRestarts(SlotRestarts.newBuilder().addAllRestartedAtMs(bounded)).build();
  }
}
