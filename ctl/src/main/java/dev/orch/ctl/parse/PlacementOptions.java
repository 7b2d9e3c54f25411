package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import dev.orch.proto.PlacementPreference;
import dev.orch.proto.PlacementStrategy;
import dev.orch.proto.ServiceMode;
import java.util.Locale;

/**
 * The placement options of {@code service create}, checked for form only: a constraint's keys and
 * a preference's descriptor are checked by the manager, with the same code that enforces them.
 */
public final class PlacementOptions {
    private PlacementOptions() {
    }

    /** {@code --constraint}: passed on as written, once it at least has an operator. */
    public static String constraint(String value) {
        String text = value.strip();
        if (!text.contains("==") && !text.contains("!=")) {
            throw new UsageException("invalid --constraint \"" + value
                    + "\": use KEY==VALUE or KEY!=VALUE (e.g. node.labels.zone==eu)");
        }
        return text;
    }

    /** {@code --placement-pref spread=DESCRIPTOR}, the one strategy there is, as docker has it. */
    public static PlacementPreference preference(String value) {
        String text = value.strip();
        int eq = text.indexOf('=');
        String strategy = eq < 0 ? "" : text.substring(0, eq).strip();
        String descriptor = eq < 0 ? "" : text.substring(eq + 1).strip();
        if (!strategy.equalsIgnoreCase("spread") || descriptor.isEmpty()) {
            throw new UsageException("invalid --placement-pref \"" + value
                    + "\": use spread=DESCRIPTOR (e.g. spread=node.labels.zone)");
        }
        return PlacementPreference.newBuilder().setSpread(descriptor).build();
    }

    /** {@code --mode replicated|global|replicated-job|global-job}. */
    public static ServiceMode mode(String value) {
        return LifecycleValues.mode(value);
    }

    /** {@code --placement-strategy spread|binpack}. */
    public static PlacementStrategy strategy(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "spread" -> PlacementStrategy.STRATEGY_SPREAD;
            case "binpack" -> PlacementStrategy.STRATEGY_BINPACK;
            default -> throw new UsageException("invalid --placement-strategy \"" + value
                    + "\": use spread or binpack");
        };
    }
}
