package dev.orch.manager.orchestrator.reaper;

import static dev.orch.manager.orchestrator.TestTasks.replicated;
import static dev.orch.manager.orchestrator.TestTasks.task;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orch.proto.Service;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The task reaper's decide step: history beyond the limit goes, oldest first, per slot. */
class TaskReaperTest {
  private final Service web = replicated(2);

  private List<String> reaped(List<Task> tasks, long limit) {
    return TaskReaper.decide(tasks, limit).actions().stream()
        .map(a -> a.getObject().getTask().getMeta().getId()).sorted().toList();
  }

  @Test
  void keepsTheNewestFinishedTasksOfEachSlot() {
    List<Task> tasks = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      tasks.add(task(web, "a" + i, 1, TaskState.FAILED, TaskState.SHUTDOWN, i));
    }
    tasks.add(task(web, "a8", 1, TaskState.RUNNING, TaskState.RUNNING, 8));
    tasks.add(task(web, "b1", 2, TaskState.SHUTDOWN, TaskState.SHUTDOWN, 1));
    assertEquals(List.of("a1", "a2"), reaped(tasks, 5));
    assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "b1"), reaped(tasks, 0));
  }

  @Test
  void neverReapsATaskThatIsStillWanted() {
    List<Task> tasks = List.of(
        task(web, "ended", 1, TaskState.FAILED, TaskState.RUNNING, 1),
        task(web, "stopping", 1, TaskState.RUNNING, TaskState.SHUTDOWN, 2));
    assertEquals(List.of(), reaped(tasks, 0));
  }
}
