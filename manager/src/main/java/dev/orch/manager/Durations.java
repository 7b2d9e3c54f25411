package dev.orch.manager;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written like docker's: 500ms, 10s, 2m, 1h. */
final class Durations {
  private static final Pattern D = Pattern.compile("^(\\d+)(ms|s|m|h)$");

  private Durations() {}

  static Duration parse(String value, String option) {
    Matcher m = D.matcher(value);
    if (!m.matches()) {
      throw new OrchDaemon.UsageError("invalid " + option + " \"" + value + "\": use a number with ms, s, m or h, e.g. 10s");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
