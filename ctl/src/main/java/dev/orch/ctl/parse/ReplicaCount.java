package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;

/** Replica counts: whole numbers >= 0, written without sign, as {@code --replicas} and scale take. */
public final class ReplicaCount {
    static final String RULE = "must be a whole number >= 0";
    private static final int MAX_DIGITS = 18; // keeps every accepted value inside a long

    private ReplicaCount() {
    }

    /** Parses the value of {@code option}, e.g. {@code --replicas}. */
    public static long parse(String option, String value) {
        long replicas = parseOrNegative(value);
        if (replicas < 0) {
            throw new UsageException("invalid " + option + " \"" + value + "\": " + RULE);
        }
        return replicas;
    }

    /** The count, or -1 when {@code value} is not a whole number >= 0. */
    static long parseOrNegative(String value) {
        String text = value.strip();
        if (text.isEmpty() || text.length() > MAX_DIGITS
                || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }
}
