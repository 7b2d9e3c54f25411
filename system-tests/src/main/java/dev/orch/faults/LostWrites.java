package dev.orch.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * No acknowledged write lost: after the run, each service must hold the effect of every
 * acknowledged write on it, or of a write that could have come after it. The final state of each
 * service is read once the cluster has healed; the write that produced it (the create or update
 * that put its value, or a remove when it is absent) must not have finished before an
 * acknowledged write started, else that acknowledged write was lost.
 */
public final class LostWrites {
  private LostWrites() {}

  /**
   * Returns one line per lost write.
   *
   * @param finalState service name → its value after the run, or null when absent; every key of
   *     the history must be present
   */
  public static List<String> find(List<Op> history, Map<String, String> finalState) {
    List<String> lost = new ArrayList<>();
    for (Op w : history) {
      if (!w.isWrite() || w.result() != Op.Result.OK) {
        continue;
      }
      if (!finalState.containsKey(w.key())) {
        throw new IllegalArgumentException("no final state for service " + w.key());
      }
      String value = finalState.get(w.key());
      List<Op> producers = history.stream()
          .filter(o -> o.key().equals(w.key()) && o.isWrite()
              && (o.result() == Op.Result.OK || o.unknown())
              && (value == null ? o.kind() == Op.Kind.REMOVE
                  : o.kind() != Op.Kind.REMOVE && value.equals(o.value())))
          .toList();
      boolean kept = producers.stream().anyMatch(p -> p == w || p.unknown() || p.end() >= w.start());
      if (!kept) {
        lost.add(LinearizabilityChecker.describe(w) + " was acknowledged, but the service ends "
            + (value == null ? "absent" : "holding " + value)
            + (producers.isEmpty() ? ", which no call wrote" : ", written by a call that finished before it started"));
      }
    }
    return lost;
  }
}
