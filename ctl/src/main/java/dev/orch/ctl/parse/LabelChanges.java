package dev.orch.ctl.parse;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.UsageException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --label-add KEY=VALUE} (or {@code KEY} alone, for an empty value) and
 * {@code --label-rm KEY}, as docker's node update takes them: additions first, then removals, and
 * removing a label the object does not have is an error rather than a silent no-op.
 */
public record LabelChanges(Map<String, String> add, List<String> remove) {

    /** Validates the option values; nothing is sent before every one of them is well formed. */
    public static LabelChanges parse(List<String> addValues, List<String> removeValues) {
        Map<String, String> add = new LinkedHashMap<>();
        for (String value : addValues) {
            int equals = value.indexOf('=');
            String key = equals < 0 ? value : value.substring(0, equals);
            if (!validKey(key)) {
                throw new UsageException("invalid --label-add \"" + value + "\": use KEY=VALUE "
                        + "(e.g. --label-add zone=eu-1)");
            }
            add.put(key, equals < 0 ? "" : value.substring(equals + 1));
        }
        for (String key : removeValues) {
            if (!validKey(key)) {
                throw new UsageException("invalid --label-rm \"" + key + "\": use the label's KEY "
                        + "(e.g. --label-rm zone)");
            }
        }
        return new LabelChanges(Map.copyOf(add), List.copyOf(removeValues));
    }

    private static boolean validKey(String key) {
        return !key.isEmpty() && key.chars().noneMatch(Character::isWhitespace);
    }

    public boolean isEmpty() {
        return add.isEmpty() && remove.isEmpty();
    }

    /**
     * The labels after the changes. {@code owner} names the object in the error for a label it
     * does not have (e.g. {@code node worker-1}).
     */
    public Map<String, String> applyTo(Map<String, String> labels, String owner) {
        Map<String, String> result = new LinkedHashMap<>(labels);
        result.putAll(add);
        for (String key : remove) {
            if (result.remove(key) == null) {
                throw new CommandFailedException(owner + " has no label \"" + key + "\" to remove");
            }
        }
        return result;
    }
}
