package dev.orch.store.bench;

/** Keys both systems write: each client cycles over 100 keys of its own, so state stays bounded. */
final class BenchKeys {
  static final int KEYS_PER_CLIENT = 100;

  private BenchKeys() {}

  static String key(int client, long seq) {
    return "bench-" + client + "-" + (seq % KEYS_PER_CLIENT);
  }
}
