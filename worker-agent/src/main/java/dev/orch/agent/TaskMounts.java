package dev.orch.agent;

import dev.orch.agent.runtime.ContainerConfig;
import dev.orch.agent.volume.VolumeStore;
import dev.orch.proto.Mount;
import dev.orch.proto.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A task's {@code --mount}s made concrete on this node: volumes created (or found) in the node's
 * volume store and held for the task, bind sources checked, tmpfs sizes passed on. A refusal is
 * an {@link IOException} whose message says what to change; the task is rejected with it.
 */
final class TaskMounts {
  /** What the runtime gets. */
  record Resolved(List<ContainerConfig.BindMount> binds, List<ContainerConfig.TmpfsMount> tmpfs) {}

  private TaskMounts() {}

  /**
   * @param dataDir the node's own data directory: nothing under it is bind-mounted into a container
   */
  static Resolved resolve(Task task, VolumeStore volumes, Path dataDir) throws IOException {
    String taskId = task.getMeta().getId();
    List<ContainerConfig.BindMount> binds = new ArrayList<>();
    List<ContainerConfig.TmpfsMount> tmpfs = new ArrayList<>();
    List<Mount> mounts = task.getSpec().getContainer().getMountsList();
    for (int i = 0; i < mounts.size(); i++) {
      Mount m = mounts.get(i);
      switch (m.getType()) {
        case MOUNT_VOLUME -> {
          // An anonymous volume is named after its task, so the agent finds it again after a restart.
          String name = m.getSource().isEmpty() ? taskId + "-" + i : m.getSource();
          binds.add(new ContainerConfig.BindMount(volumes.acquire(name, taskId), m.getTarget(), m.getReadOnly()));
        }
        case MOUNT_BIND -> binds.add(new ContainerConfig.BindMount(bindSource(m.getSource(), dataDir),
            m.getTarget(), m.getReadOnly()));
        case MOUNT_TMPFS -> tmpfs.add(new ContainerConfig.TmpfsMount(m.getTarget(), m.getTmpfsSizeBytes(), m.getReadOnly()));
        default -> throw new IOException("mount " + m.getTarget() + " has a type this node does not know ("
            + m.getType() + "); upgrade orchd on it");
      }
    }
    return new Resolved(binds, tmpfs);
  }

  private static Path bindSource(String source, Path dataDir) throws IOException {
    Path path = Path.of(source);
    if (!path.isAbsolute()) {
      throw new IOException("bind source " + source + " is not an absolute path");
    }
    if (!Files.exists(path)) {
      throw new IOException("bind source path " + source + " does not exist on this node: create it, "
          + "or use a volume (type=volume)");
    }
    Path real = path.toRealPath();
    Path data = dataDir.toRealPath();
    if (real.startsWith(data) || data.startsWith(real)) {
      throw new IOException("bind source " + source + (real.equals(path) ? "" : " (" + real + ")")
          + (real.startsWith(data) ? " is inside" : " contains") + " this node's data directory " + data
          + ": orch's own state is never mounted into containers; use another path or a volume");
    }
    return real;
  }
}
