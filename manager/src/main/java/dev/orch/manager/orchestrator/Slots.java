package dev.orch.manager.orchestrator;

import dev.orch.proto.Task;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A slot is where a service keeps one task at a time and its history: a number for replicated
 * services and jobs, a node for global ones. Every controller groups tasks the same way here.
 */
public final class Slots {
  /** Newest last: the order in which tasks of a slot were created. */
  public static final Comparator<Task> OLDEST_FIRST =
      Comparator.comparingLong((Task t) -> t.getMeta().getCreatedAtMs()).thenComparing(t -> t.getMeta().getId());

  private Slots() {}

  /** The slot of a task: {@code node:ID} for global services, {@code slot:N} otherwise. */
  public static String key(Task t) {
    return t.getGlobalNodeId().isEmpty() ? "slot:" + t.getSlot() : "node:" + t.getGlobalNodeId();
  }

  /** The slot key of replicated slot {@code n}. */
  public static String numbered(long n) {
    return "slot:" + n;
  }

  /** The slot key of a global service's slot on {@code nodeId}. */
  public static String onNode(String nodeId) {
    return "node:" + nodeId;
  }

  /** Slot keys in order: numbered slots by number, then node slots by node id. */
  public static final Comparator<String> KEY_ORDER = (a, b) -> {
    boolean an = a.startsWith("slot:");
    boolean bn = b.startsWith("slot:");
    if (an && bn) {
      // Slot numbers are written without sign or leading zeros, so the shorter one is the smaller
      // and equal lengths compare as text: numeric order without parsing, which sorting 100,000
      // slots would otherwise do millions of times.
      int byLength = Integer.compare(a.length(), b.length());
      return byLength != 0 ? byLength : a.compareTo(b);
    }
    return an != bn ? (an ? -1 : 1) : a.compareTo(b);
  };

  /** {@code keys} in {@link #KEY_ORDER}. */
  public static List<String> sortedKeys(java.util.Collection<String> keys) {
    return keys.stream().sorted(KEY_ORDER).toList();
  }

  /** Tasks grouped by slot, in {@link #KEY_ORDER}. */
  public static Map<String, List<Task>> group(List<Task> tasks) {
    Map<String, List<Task>> sorted = new TreeMap<>(KEY_ORDER);
    for (Task t : tasks) {
      sorted.computeIfAbsent(key(t), k -> new java.util.ArrayList<>()).add(t);
    }
    return new LinkedHashMap<>(sorted);
  }

  /** The most recently created of {@code tasks}, if any. */
  public static Optional<Task> newest(List<Task> tasks) {
    return tasks.stream().max(OLDEST_FIRST);
  }
}
