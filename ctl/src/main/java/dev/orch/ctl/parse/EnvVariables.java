package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code -e/--env} values, as docker takes them: {@code KEY=VALUE}, or {@code KEY} alone to pass
 * the variable's value from the client's environment (dropped when it is not set there, as docker
 * does, so scripts can forward optional settings).
 */
public final class EnvVariables {
    private EnvVariables() {
    }

    /** Returns the {@code KEY=VALUE} strings for the container spec, in the order given. */
    public static List<String> parse(List<String> values, Map<String, String> clientEnv) {
        List<String> result = new ArrayList<>(values.size());
        for (String value : values) {
            int equals = value.indexOf('=');
            String key = equals < 0 ? value : value.substring(0, equals);
            if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
                throw new UsageException("invalid --env \"" + value + "\": use KEY=VALUE, or KEY "
                        + "to pass its value from this shell (e.g. -e LOG_LEVEL=debug)");
            }
            if (equals >= 0) {
                result.add(value);
            } else if (clientEnv.containsKey(key)) {
                result.add(key + "=" + clientEnv.get(key));
            }
        }
        return result;
    }
}
