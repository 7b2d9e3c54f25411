package dev.orch.agent;

import dev.orch.agent.runtime.Capabilities;
import dev.orch.agent.runtime.ContainerConfig;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.Image;
import dev.orch.proto.ImageConfig;
import dev.orch.proto.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Turns a task and its image into the runtime's container config, with docker's precedence rules. */
final class ContainerConfigs {
  private ContainerConfigs() {}

  static ContainerConfig of(Task task, Image image, List<Path> layers, Path logFile, TaskMounts.Resolved mounts,
      List<ContainerConfig.BindMount> files) {
    ContainerSpec spec = task.getSpec().getContainer();
    ImageConfig ic = image.getConfig();
    // As docker: arguments given to the service replace the image's CMD and keep its ENTRYPOINT;
    // an entrypoint given to the service replaces the image's, and its CMD with it.
    List<String> argv = new ArrayList<>(spec.getEntrypointCount() > 0 ? spec.getEntrypointList()
        : ic.getEntrypointList());
    argv.addAll(spec.getCommandCount() > 0 || spec.getEntrypointCount() > 0 ? spec.getCommandList()
        : ic.getCmdList());
    if (argv.isEmpty()) {
      argv.add("sh");
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (String e : ic.getEnvList()) {
      put(env, e);
    }
    for (String e : spec.getEnvList()) {
      put(env, e);
    }
    String hostname = hostname(task);
    env.put("HOSTNAME", hostname);
    String workdir = !spec.getWorkdir().isEmpty() ? spec.getWorkdir()
        : !ic.getWorkdir().isEmpty() ? ic.getWorkdir() : "/";
    var limits = task.getSpec().getLimits();
    return new ContainerConfig(
        task.getMeta().getId(),
        hostname,
        layers,
        argv,
        env.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).toList(),
        workdir,
        new ContainerConfig.ResourceLimits(limits.getMemoryBytes(), limits.getNanoCpus(), limits.getPids()),
        logFile, null, Stream.concat(mounts.binds().stream(), files.stream()).toList(),
        spec.getUser().isEmpty() ? ic.getUser() : spec.getUser(),
        new ContainerConfig.Hardening(Capabilities.boundingSet(spec.getCapAddList(), spec.getCapDropList()),
            spec.getReadOnly()),
        mounts.tmpfs());
  }

  /** The container's hostname: --hostname, else the task id's first 12 characters, as docker. */
  static String hostname(Task task) {
    ContainerSpec spec = task.getSpec().getContainer();
    return spec.getHostname().isEmpty()
        ? task.getMeta().getId().substring(0, Math.min(12, task.getMeta().getId().length()))
        : spec.getHostname();
  }

  private static void put(Map<String, String> env, String entry) {
    int eq = entry.indexOf('=');
    if (eq > 0) {
      env.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
  }
}
