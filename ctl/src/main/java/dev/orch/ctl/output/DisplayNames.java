package dev.orch.ctl.output;

import dev.orch.proto.NodeAvailability;
import dev.orch.proto.NodeState;
import dev.orch.proto.TaskState;
import java.util.Locale;

/** Enum values as docker shows them: "Running", "Ready", "Active". */
public final class DisplayNames {
    private DisplayNames() {
    }

    public static String of(TaskState state) {
        return state == TaskState.UNRECOGNIZED ? "Unknown" : capitalize(state.name());
    }

    public static String of(NodeState state) {
        return state == NodeState.UNRECOGNIZED
                ? "Unknown" : capitalize(state.name().substring("NODE_".length()));
    }

    public static String of(NodeAvailability availability) {
        return availability == NodeAvailability.UNRECOGNIZED
                ? "Unknown" : capitalize(availability.name());
    }

    static String capitalize(String enumName) {
        String lower = enumName.toLowerCase(Locale.ROOT).replace('_', ' ');
        return lower.isEmpty() ? lower : Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    /** The first 12 characters, as docker shortens ids in tables. */
    public static String shortId(String id) {
        return id.length() <= 12 ? id : id.substring(0, 12);
    }
}
