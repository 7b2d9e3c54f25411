package dev.orch.ctl.output;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Durations in docker's words (go-units {@code HumanDuration}): "Less than a second",
 * "3 seconds", "About a minute", "5 minutes", "About an hour", "3 hours", "2 days", "3 weeks",
 * "4 months", "2 years". Matching docker keeps output familiar and scripts portable.
 */
public final class HumanDuration {
    private HumanDuration() {
    }

    public static String of(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = seconds / 60;
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(seconds / 3600.0); // docker rounds hours to the nearest
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return seconds / 3600 / 24 / 365 + " years";
    }

    /** "About a minute ago": the time since {@code epochMillis}; a future time counts as now. */
    public static String ago(long epochMillis, Instant now) {
        return of(Duration.between(Instant.ofEpochMilli(epochMillis), now)) + " ago";
    }

    /** Lowercase, for use inside a sentence: "Running 3 seconds ago", "Running about a minute ago". */
    public static String agoInSentence(long epochMillis, Instant now) {
        return ago(epochMillis, now).toLowerCase(Locale.ROOT);
    }
}
