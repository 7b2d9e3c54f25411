package dev.orch.manager.orchestrator;

import dev.orch.proto.Cluster;
import dev.orch.proto.RestartCondition;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateConfig;
import java.util.Optional;

/**
 * Docker's defaults for the lifecycle settings of a service, in one place. The Control API writes
 * them into every spec it stores, so inspect shows what the controllers do; the controllers still
 * read through here so that a spec stored without them behaves the same.
 */
public final class ServiceDefaults {
  public static final long RESTART_DELAY_MS = 5_000;
  public static final long UPDATE_PARALLELISM = 1;
  public static final long UPDATE_MONITOR_MS = 5_000;
  public static final long TASK_HISTORY_LIMIT = 5;

  private ServiceDefaults() {}

  /** {@code spec} with every lifecycle default written out. */
  public static ServiceSpec withDefaults(ServiceSpec spec) {
    ServiceSpec.Builder b = spec.toBuilder();
    b.setRestart(restart(spec));
    if (ServiceModes.isJob(spec)) {
      // Jobs are never rolled: a spec change starts the job again.
      b.clearUpdate().clearRollback();
    } else {
      b.setUpdate(filled(spec.getUpdate())).setRollback(filled(spec.getRollback()));
    }
    return b.build();
  }

  /** The effective restart policy: condition and delay filled in. */
  public static RestartPolicy restart(ServiceSpec spec) {
    RestartPolicy p = spec.getRestart();
    RestartPolicy.Builder b = p.toBuilder();
    if (p.getCondition() == RestartCondition.RESTART_DEFAULT) {
      b.setCondition(ServiceModes.isJob(spec) ? RestartCondition.RESTART_ON_FAILURE : RestartCondition.RESTART_ANY);
    }
    if (!p.hasDelayMs()) {
      b.setDelayMs(RESTART_DELAY_MS);
    }
    return b.build();
  }

  /** An update or rollback config with parallelism and monitor filled in. */
  public static UpdateConfig filled(UpdateConfig c) {
    UpdateConfig.Builder b = c.toBuilder();
    if (!c.hasParallelism()) {
      b.setParallelism(UPDATE_PARALLELISM);
    }
    if (!c.hasMonitorMs()) {
      b.setMonitorMs(UPDATE_MONITOR_MS);
    }
    return b.build();
  }

  /** Replicated jobs: how many tasks may run at once (docker's default: all of them). */
  public static long maxConcurrent(ServiceSpec spec) {
    return spec.getMaxConcurrent() == 0 ? Math.max(1, spec.getReplicas()) : spec.getMaxConcurrent();
  }

  /** Finished tasks kept per slot. */
  public static long taskHistoryLimit(Optional<Cluster> cluster) {
    return cluster.filter(Cluster::hasTaskHistoryLimit).map(Cluster::getTaskHistoryLimit).orElse(TASK_HISTORY_LIMIT);
  }
}
