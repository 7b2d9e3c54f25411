package dev.orch.manager.control;

import dev.orch.manager.orchestrator.ServiceModes;
import dev.orch.proto.RestartCondition;
import dev.orch.proto.RestartPolicy;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateConfig;
import dev.orch.proto.UpdateFailureAction;
import dev.orch.proto.UpdateOrder;

/**
 * Checks the lifecycle part of a service spec (mode, update and rollback configs, restart policy)
 * at the API edge; every refusal names the option and the fix.
 */
final class LifecycleSpecValidator {
  private LifecycleSpecValidator() {}

  static void validate(ServiceSpec spec) {
    checkMode(spec);
    checkUpdate("update", spec.getUpdate());
    checkUpdate("rollback", spec.getRollback());
    if (spec.getRollback().getFailureAction() == UpdateFailureAction.FAILURE_ACTION_ROLLBACK) {
      throw ServiceSpecValidator.invalid("invalid --rollback-failure-action rollback: a rollback cannot roll back;"
          + " use pause or continue");
    }
    checkRestart(spec);
  }

  private static void checkMode(ServiceSpec spec) {
    ServiceMode mode = spec.getMode();
    if (mode == ServiceMode.UNRECOGNIZED || mode.getNumber() > ServiceMode.MODE_GLOBAL_JOB_VALUE) {
      throw ServiceSpecValidator.invalid("unknown service mode " + spec.getModeValue()
          + ": use replicated, global, replicated-job or global-job");
    }
    if (ServiceModes.isGlobal(spec) && spec.getReplicas() != 0) {
      throw ServiceSpecValidator.invalid("--replicas cannot be used with --mode " + ServiceModes.name(mode)
          + ": it runs one task on every eligible node");
    }
    if (mode != ServiceMode.MODE_REPLICATED_JOB && spec.getMaxConcurrent() != 0) {
      throw ServiceSpecValidator.invalid("--max-concurrent is only for --mode replicated-job");
    }
    if (ServiceModes.isJob(spec) && (spec.hasUpdate() || spec.hasRollback())) {
      throw ServiceSpecValidator.invalid("--update-* and --rollback-* options are not for jobs: a changed job"
          + " runs again from the start");
    }
  }

  private static void checkUpdate(String what, UpdateConfig c) {
    if (c.getDelayMs() < 0 || c.getMonitorMs() < 0) {
      throw ServiceSpecValidator.invalid("negative --" + what + "-delay or --" + what + "-monitor: use 0s or more");
    }
    float ratio = c.getMaxFailureRatio();
    if (!(ratio >= 0 && ratio <= 1)) {
      throw ServiceSpecValidator.invalid("invalid --" + what + "-max-failure-ratio " + ratio
          + ": use a fraction from 0 to 1 (e.g. 0.2)");
    }
    if (c.getFailureAction() == UpdateFailureAction.UNRECOGNIZED) {
      throw ServiceSpecValidator.invalid("unknown --" + what + "-failure-action " + c.getFailureActionValue()
          + ": use pause, continue or rollback");
    }
    if (c.getOrder() == UpdateOrder.UNRECOGNIZED) {
      throw ServiceSpecValidator.invalid("unknown --" + what + "-order " + c.getOrderValue()
          + ": use stop-first or start-first");
    }
  }

  private static void checkRestart(ServiceSpec spec) {
    RestartPolicy p = spec.getRestart();
    if (p.getCondition() == RestartCondition.UNRECOGNIZED) {
      throw ServiceSpecValidator.invalid("unknown --restart-condition " + p.getConditionValue()
          + ": use none, on-failure or any");
    }
    if (p.getDelayMs() < 0 || p.getWindowMs() < 0) {
      throw ServiceSpecValidator.invalid("negative --restart-delay or --restart-window: use 0s or more");
    }
    if (ServiceModes.isJob(spec) && p.getCondition() == RestartCondition.RESTART_ANY) {
      throw ServiceSpecValidator.invalid("--restart-condition any is not for jobs: a job's completed tasks are"
          + " never run again; use on-failure or none");
    }
  }
}
