package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import dev.orch.proto.NodeAvailability;
import java.util.Locale;

/** {@code --availability} values, as docker writes them: active, pause, drain (any case). */
public final class NodeAvailabilities {
    private NodeAvailabilities() {
    }

    public static NodeAvailability parse(String option, String value) {
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "active":
                return NodeAvailability.ACTIVE;
            case "pause":
                return NodeAvailability.PAUSE;
            case "drain":
                return NodeAvailability.DRAIN;
            default:
                throw new UsageException("invalid " + option + " \"" + value
                        + "\": use active, pause or drain");
        }
    }
}
