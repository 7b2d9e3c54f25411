package dev.orch.manager.orchestrator;

import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;

/** Which orchestrator owns a service, asked by every controller that treats the modes apart. */
public final class ServiceModes {
  private ServiceModes() {}

  /** Long-running tasks in numbered slots: the replicated orchestrator's. */
  public static boolean isReplicated(ServiceSpec spec) {
    return spec.getMode() == ServiceMode.MODE_REPLICATED;
  }

  /** One task per eligible node: slots are nodes. */
  public static boolean isGlobal(ServiceSpec spec) {
    return spec.getMode() == ServiceMode.MODE_GLOBAL || spec.getMode() == ServiceMode.MODE_GLOBAL_JOB;
  }

  /** Tasks that run to completion and are then done, never restarted once they complete. */
  public static boolean isJob(ServiceSpec spec) {
    return spec.getMode() == ServiceMode.MODE_REPLICATED_JOB || spec.getMode() == ServiceMode.MODE_GLOBAL_JOB;
  }

  /** The name users write on the command line. */
  public static String name(ServiceMode mode) {
    return switch (mode) {
      case MODE_REPLICATED -> "replicated";
      case MODE_GLOBAL -> "global";
      case MODE_REPLICATED_JOB -> "replicated-job";
      case MODE_GLOBAL_JOB -> "global-job";
      default -> "mode " + mode.getNumber();
    };
  }
}
