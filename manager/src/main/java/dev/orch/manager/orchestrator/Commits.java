package dev.orch.manager.orchestrator;

import dev.orch.manager.StoreWriter;
import dev.orch.proto.TransactionResult;

/** Commits a controller's decision; a refusal throws so that the work queue retries the key. */
public final class Commits {
  private Commits() {}

  /** Commits {@code d}'s actions (if any) and schedules its wake-up (if any). */
  public static void apply(StoreWriter writer, Wakeups wakeups, String key, Decision d, String what) {
    if (!d.actions().isEmpty()) {
      TransactionResult r = writer.submit(d.actions());
      if (!r.getOk()) {
        throw new IllegalStateException(what + " " + key + ": " + r.getError());
      }
    }
    if (d.wakeAtMs() > 0) {
      wakeups.at(key, d.wakeAtMs());
    }
  }
}
