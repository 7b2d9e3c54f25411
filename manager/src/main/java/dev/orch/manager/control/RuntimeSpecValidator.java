package dev.orch.manager.control;

import dev.orch.agent.runtime.Capabilities;
import dev.orch.agent.runtime.Signals;
import dev.orch.proto.ContainerSpec;
import dev.orch.proto.HealthConfig;

/** The container's hardening, stop and health settings, checked at the API edge. */
final class RuntimeSpecValidator {
  private RuntimeSpecValidator() {}

  static void validate(ContainerSpec c) {
    for (String cap : c.getCapAddList()) {
      refuseIf(Capabilities.refusal("--cap-add", cap));
    }
    for (String cap : c.getCapDropList()) {
      refuseIf(Capabilities.refusal("--cap-drop", cap));
    }
    if (!c.getStopSignal().isEmpty() && Signals.number(c.getStopSignal()) < 0) {
      throw ServiceSpecValidator.invalid("invalid --stop-signal \"" + c.getStopSignal()
          + "\": use a signal name or number such as SIGTERM, SIGQUIT or 3");
    }
    if (c.hasStopGracePeriodMs() && c.getStopGracePeriodMs() < 0) {
      throw ServiceSpecValidator.invalid("invalid --stop-grace-period: it must be >= 0 (e.g. 10s)");
    }
    if (c.hasHealthcheck()) {
      validate(c.getHealthcheck());
    }
  }

  static void validate(HealthConfig h) {
    if (h.getTestCount() > 0) {
      String kind = h.getTest(0);
      boolean ok = kind.equals("NONE") && h.getTestCount() == 1
          || kind.equals("CMD") && h.getTestCount() > 1 && !h.getTest(1).isEmpty()
          || kind.equals("CMD-SHELL") && h.getTestCount() == 2 && !h.getTest(1).isBlank();
      if (!ok) {
        throw ServiceSpecValidator.invalid("invalid health check test " + h.getTestList()
            + ": use [\"CMD\", argv...], [\"CMD-SHELL\", \"command\"] or [\"NONE\"] (--health-cmd / --no-healthcheck)");
      }
    }
    if (h.getIntervalMs() < 0 || h.getTimeoutMs() < 0 || h.getStartPeriodMs() < 0 || h.getRetries() < 0) {
      throw ServiceSpecValidator.invalid("invalid health check: interval, timeout, start period and retries must be >= 0");
    }
    if (h.getIntervalMs() > 0 && h.getIntervalMs() < 1000 || h.getTimeoutMs() > 0 && h.getTimeoutMs() < 1000) {
      throw ServiceSpecValidator.invalid("invalid health check: --health-interval and --health-timeout must be"
          + " at least 1s (0 means the default, 30s)");
    }
  }

  private static void refuseIf(String refusal) {
    if (refusal != null) {
      throw ServiceSpecValidator.invalid(refusal);
    }
  }
}
