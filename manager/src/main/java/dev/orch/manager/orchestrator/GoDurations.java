package dev.orch.manager.orchestrator;

/** Durations in messages as users write them on the command line (Go's form): 5s, 1m30s, 500ms. */
public final class GoDurations {
  private GoDurations() {}

  public static String of(long ms) {
    if (ms == 0) {
      return "0s";
    }
    if (ms < 1_000) {
      return ms + "ms";
    }
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    String s = seconds(ms % 60_000);
    if (h > 0) {
      return h + "h" + m + "m" + s;
    }
    return m > 0 ? m + "m" + s : s;
  }

  private static String seconds(long ms) {
    long whole = ms / 1_000;
    long frac = ms % 1_000;
    if (frac == 0) {
      return whole + "s";
    }
    String f = String.format("%03d", frac).replaceAll("0+$", "");
    return whole + "." + f + "s";
  }
}
