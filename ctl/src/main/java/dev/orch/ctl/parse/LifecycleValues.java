package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import dev.orch.proto.RestartCondition;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.UpdateFailureAction;
import dev.orch.proto.UpdateOrder;
import java.util.Locale;

/**
 * Values of the service lifecycle options as docker writes them: update and rollback order and
 * failure action, restart condition, failure ratios and the service modes.
 */
public final class LifecycleValues {
    private LifecycleValues() {
    }

    /** {@code --update-order} / {@code --rollback-order}: stop-first or start-first. */
    public static UpdateOrder order(String option, String value) {
        return switch (normalize(value)) {
            case "stop-first" -> UpdateOrder.ORDER_STOP_FIRST;
            case "start-first" -> UpdateOrder.ORDER_START_FIRST;
            default -> throw invalid(option, value, "use stop-first or start-first");
        };
    }

    /** {@code --update-failure-action}: pause, continue or rollback; rollbacks cannot roll back. */
    public static UpdateFailureAction failureAction(String option, String value, boolean allowRollback) {
        return switch (normalize(value)) {
            case "pause" -> UpdateFailureAction.FAILURE_ACTION_PAUSE;
            case "continue" -> UpdateFailureAction.FAILURE_ACTION_CONTINUE;
            case "rollback" -> {
                if (!allowRollback) {
                    throw invalid(option, value, "a rollback cannot roll back; use pause or continue");
                }
                yield UpdateFailureAction.FAILURE_ACTION_ROLLBACK;
            }
            default -> throw invalid(option, value, allowRollback
                    ? "use pause, continue or rollback" : "use pause or continue");
        };
    }

    /** {@code --restart-condition}: none, on-failure or any. */
    public static RestartCondition restartCondition(String option, String value) {
        return switch (normalize(value)) {
            case "none" -> RestartCondition.RESTART_NONE;
            case "on-failure" -> RestartCondition.RESTART_ON_FAILURE;
            case "any" -> RestartCondition.RESTART_ANY;
            default -> throw invalid(option, value, "use none, on-failure or any");
        };
    }

    /** A fraction from 0 to 1, e.g. {@code 0.2}. */
    public static float ratio(String option, String value) {
        try {
            float f = Float.parseFloat(value.strip());
            if (f >= 0 && f <= 1) {
                return f;
            }
        } catch (NumberFormatException e) {
            // fall through to the usage error
        }
        throw invalid(option, value, "use a fraction from 0 to 1 (e.g. 0.2)");
    }

    /** {@code --mode}: replicated, global, replicated-job or global-job. */
    public static ServiceMode mode(String value) {
        return switch (normalize(value)) {
            case "replicated" -> ServiceMode.MODE_REPLICATED;
            case "global" -> ServiceMode.MODE_GLOBAL;
            case "replicated-job" -> ServiceMode.MODE_REPLICATED_JOB;
            case "global-job" -> ServiceMode.MODE_GLOBAL_JOB;
            default -> throw invalid("--mode", value, "use replicated, global, replicated-job or global-job");
        };
    }

    /** The name users write for {@code mode}, as {@code service ls} shows it. */
    public static String modeName(ServiceMode mode) {
        return switch (mode) {
            case MODE_GLOBAL -> "global";
            case MODE_REPLICATED_JOB -> "replicated job";
            case MODE_GLOBAL_JOB -> "global job";
            default -> "replicated";
        };
    }

    private static String normalize(String value) {
        return value.strip().toLowerCase(Locale.ROOT);
    }

    private static UsageException invalid(String option, String value, String fix) {
        return new UsageException("invalid " + option + " \"" + value + "\": " + fix);
    }
}
