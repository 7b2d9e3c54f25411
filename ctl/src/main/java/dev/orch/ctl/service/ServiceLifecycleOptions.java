package dev.orch.ctl.service;

import dev.orch.ctl.parse.GoDuration;
import dev.orch.ctl.parse.LifecycleValues;
import dev.orch.ctl.parse.ReplicaCount;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateConfig;
import picocli.CommandLine.Option;

/**
 * The lifecycle options that {@code service create} and {@code service update} share: how updates
 * and rollbacks are rolled out, the restart policy, and a replicated job's concurrency. Only the
 * options given change the spec, so an update keeps every setting it does not name; the manager
 * fills in docker's defaults for what a new service leaves out.
 */
final class ServiceLifecycleOptions {
    @Option(names = "--update-parallelism", paramLabel = "N",
            description = "Tasks updated at once (default 1; 0 = all at once).")
    String updateParallelism;

    @Option(names = "--update-delay", paramLabel = "DURATION",
            description = "Wait between updates of batches (e.g. 10s; default 0s).")
    String updateDelay;

    @Option(names = "--update-order", paramLabel = "ORDER",
            description = "stop-first (default) or start-first.")
    String updateOrder;

    @Option(names = "--update-failure-action", paramLabel = "ACTION",
            description = "When an update fails: pause (default), continue or rollback.")
    String updateFailureAction;

    @Option(names = "--update-monitor", paramLabel = "DURATION",
            description = "How long each updated task is watched for failure (default 5s).")
    String updateMonitor;

    @Option(names = "--update-max-failure-ratio", paramLabel = "RATIO",
            description = "Failures tolerated during an update, as a fraction of the tasks (default 0).")
    String updateMaxFailureRatio;

    @Option(names = "--rollback-parallelism", paramLabel = "N",
            description = "Tasks rolled back at once (default 1; 0 = all at once).")
    String rollbackParallelism;

    @Option(names = "--rollback-delay", paramLabel = "DURATION", description = "Wait between rollback batches.")
    String rollbackDelay;

    @Option(names = "--rollback-order", paramLabel = "ORDER", description = "stop-first (default) or start-first.")
    String rollbackOrder;

    @Option(names = "--rollback-failure-action", paramLabel = "ACTION",
            description = "When a rollback fails: pause (default) or continue.")
    String rollbackFailureAction;

    @Option(names = "--rollback-monitor", paramLabel = "DURATION",
            description = "How long each rolled-back task is watched for failure (default 5s).")
    String rollbackMonitor;

    @Option(names = "--rollback-max-failure-ratio", paramLabel = "RATIO",
            description = "Failures tolerated during a rollback (default 0).")
    String rollbackMaxFailureRatio;

    @Option(names = "--restart-condition", paramLabel = "CONDITION",
            description = "Restart a task that ended: any (default), on-failure or none.")
    String restartCondition;

    @Option(names = "--restart-delay", paramLabel = "DURATION",
            description = "Wait between a task's end and its restart (default 5s).")
    String restartDelay;

    @Option(names = "--restart-max-attempts", paramLabel = "N",
            description = "Restarts allowed (within --restart-window, if given) before giving up (default 0: no limit).")
    String restartMaxAttempts;

    @Option(names = "--restart-window", paramLabel = "DURATION",
            description = "Window in which --restart-max-attempts counts (default: forever).")
    String restartWindow;

    @Option(names = "--max-concurrent", paramLabel = "N",
            description = "replicated-job: tasks run at once (default: all of --replicas).")
    String maxConcurrent;

    /** Validates and applies every option given; nothing is sent unless all of them are right. */
    void applyTo(ServiceSpec.Builder spec) {
        if (anyUpdateOption()) {
            spec.setUpdate(config(spec.getUpdate(), "update", updateParallelism, updateDelay, updateOrder,
                    updateFailureAction, updateMonitor, updateMaxFailureRatio));
        }
        if (anyRollbackOption()) {
            spec.setRollback(config(spec.getRollback(), "rollback", rollbackParallelism, rollbackDelay,
                    rollbackOrder, rollbackFailureAction, rollbackMonitor, rollbackMaxFailureRatio));
        }
        if (restartCondition != null || restartDelay != null || restartMaxAttempts != null
                || restartWindow != null) {
            spec.setRestart(restart(spec.getRestart()));
        }
        if (maxConcurrent != null) {
            spec.setMaxConcurrent(ReplicaCount.parse("--max-concurrent", maxConcurrent));
        }
    }

    private boolean anyUpdateOption() {
        return updateParallelism != null || updateDelay != null || updateOrder != null
                || updateFailureAction != null || updateMonitor != null || updateMaxFailureRatio != null;
    }

    private boolean anyRollbackOption() {
        return rollbackParallelism != null || rollbackDelay != null || rollbackOrder != null
                || rollbackFailureAction != null || rollbackMonitor != null || rollbackMaxFailureRatio != null;
    }

    private static UpdateConfig config(UpdateConfig current, String what, String parallelism, String delay,
            String order, String failureAction, String monitor, String ratio) {
        UpdateConfig.Builder c = current.toBuilder();
        String prefix = "--" + what + "-";
        if (parallelism != null) {
            c.setParallelism(ReplicaCount.parse(prefix + "parallelism", parallelism));
        }
        if (delay != null) {
            c.setDelayMs(GoDuration.parse(prefix + "delay", delay).toMillis());
        }
        if (order != null) {
            c.setOrder(LifecycleValues.order(prefix + "order", order));
        }
        if (failureAction != null) {
            c.setFailureAction(LifecycleValues.failureAction(prefix + "failure-action", failureAction,
                    what.equals("update")));
        }
        if (monitor != null) {
            c.setMonitorMs(GoDuration.parse(prefix + "monitor", monitor).toMillis());
        }
        if (ratio != null) {
            c.setMaxFailureRatio(LifecycleValues.ratio(prefix + "max-failure-ratio", ratio));
        }
        return c.build();
    }

    private RestartPolicy restart(RestartPolicy current) {
        RestartPolicy.Builder r = current.toBuilder();
        if (restartCondition != null) {
            r.setCondition(LifecycleValues.restartCondition("--restart-condition", restartCondition));
        }
        if (restartDelay != null) {
            r.setDelayMs(GoDuration.parse("--restart-delay", restartDelay).toMillis());
        }
        if (restartMaxAttempts != null) {
            r.setMaxAttempts(ReplicaCount.parse("--restart-max-attempts", restartMaxAttempts));
        }
        if (restartWindow != null) {
            r.setWindowMs(GoDuration.parse("--restart-window", restartWindow).toMillis());
        }
        return r.build();
    }
}
