package dev.orch.agent;

import dev.orch.agent.runtime.ContainerConfig;
import dev.orch.agent.runtime.ContainerException;
import dev.orch.agent.runtime.TaskFileStore;
import dev.orch.proto.Config;
import dev.orch.proto.FileReference;
import dev.orch.proto.Secret;
import dev.orch.proto.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The secrets and configs the dispatcher sent (held in memory only), and the files each task
 * gets from them.
 */
final class TaskFiles {
  private final Map<String, byte[]> data = new ConcurrentHashMap<>();
  private final TaskFileStore store;

  TaskFiles(TaskFileStore store) {
    this.store = store;
  }

  void remember(List<Secret> secrets, List<Config> configs) {
    secrets.forEach(s -> data.put(s.getMeta().getId(), s.getSpec().getData().toByteArray()));
    configs.forEach(c -> data.put(c.getMeta().getId(), c.getSpec().getData().toByteArray()));
  }

  /** Writes the task's files; refuses a task whose secret or config was not sent. */
  List<ContainerConfig.BindMount> write(Task t) throws ContainerException {
    List<TaskFileStore.TaskFile> files = new ArrayList<>();
    var container = t.getSpec().getContainer();
    for (List<FileReference> refs : List.of(container.getSecretsList(), container.getConfigsList())) {
      for (FileReference r : refs) {
        byte[] bytes = data.get(r.getId());
        if (bytes == null) {
          throw new ContainerException(r.getName() + " (" + r.getId() + ") was not sent with the task");
        }
        files.add(new TaskFileStore.TaskFile(r.getTarget(), bytes, r.getUid(), r.getGid(), r.getMode()));
      }
    }
    return store.write(t.getMeta().getId(), files);
  }

  void remove(String taskId) {
    store.remove(taskId);
  }
}
