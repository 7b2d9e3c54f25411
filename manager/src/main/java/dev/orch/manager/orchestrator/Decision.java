package dev.orch.manager.orchestrator;

import dev.orch.proto.StoreAction;
import java.util.List;

/**
 * What a controller's decide step produced for one key: the actions to commit in one transaction
 * (each carrying the version it read), and when to look at the key again even if nothing changes
 * (0 = only on a change). Deciding is pure, so tests call it against fixed state.
 */
public record Decision(List<StoreAction> actions, long wakeAtMs) {
  public static final Decision NOTHING = new Decision(List.of(), 0);

  public Decision {
    actions = List.copyOf(actions);
  }

  public static Decision of(List<StoreAction> actions) {
    return new Decision(actions, 0);
  }

  /** The earlier of two wake-up times, where 0 means none. */
  public static long earliest(long a, long b) {
    return a == 0 ? b : b == 0 ? a : Math.min(a, b);
  }
}
