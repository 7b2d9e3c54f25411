package dev.orch.scheduler;

/** Wording for explanations. */
final class Plural {
  private Plural() {}

  static String nodes(int n) {
    return n == 1 ? "1 node is" : n + " nodes are";
  }

  static String bytes(long b) {
    if (b % (1L << 30) == 0) {
      return (b >> 30) + " GiB";
    }
    if (b % (1L << 20) == 0) {
      return (b >> 20) + " MiB";
    }
    return b + " bytes";
  }
}
