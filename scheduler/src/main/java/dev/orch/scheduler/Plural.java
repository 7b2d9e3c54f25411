package dev.orch.scheduler;

import java.math.BigDecimal;

/** Wording for explanations. */
final class Plural {
  private Plural() {}

  static String nodes(int n) {
    return n == 1 ? "1 node" : n + " nodes";
  }

  static String nodesAre(int n) {
    return nodes(n) + (n == 1 ? " is" : " are");
  }

  static String bytes(long b) {
    if (b % (1L << 30) == 0) {
      return (b >> 30) + " GiB";
    }
    if (b % (1L << 20) == 0) {
      return (b >> 20) + " MiB";
    }
    if (b % (1L << 10) == 0) {
      return (b >> 10) + " KiB";
    }
    return b + " bytes";
  }

  /** 1e9 nano CPUs is one CPU: "1 CPU", "0.25 CPUs", "2 CPUs". */
  static String cpus(long nanoCpus) {
    String n = BigDecimal.valueOf(nanoCpus, 9).stripTrailingZeros().toPlainString();
    return n + (nanoCpus == 1_000_000_000L ? " CPU" : " CPUs");
  }
}
