package dev.orch.faults;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a recorded history against a model of one register per service (absent, or holding the
 * value of the last write), with the Wing &amp; Gong search as improved by Lowe: walk the calls in
 * time order, tentatively linearize a call whose effect the model allows, backtrack when a
 * return is reached whose call could not be placed, and never revisit a (set of linearized calls,
 * model state) pair already explored. Linearizability is local, so every service is checked on
 * its own, which keeps each search small.
 *
 * <p>A call whose outcome is unknown ends at infinity: it may take effect at any point after it
 * started, or never (never is the same as last, once every call with a known outcome is placed).
 * Refusals that tell nothing ({@link Op.Result#REFUSED}) and reads with unknown outcome change
 * nothing and are left out.
 */
public final class LinearizabilityChecker {
  /** Explored configurations per service before the answer is "inconclusive". */
  private final long budget;

  public LinearizabilityChecker(long budget) {
    this.budget = budget;
  }

  public LinearizabilityChecker() {
    this(5_000_000);
  }

  /** The verdict on one service. */
  public record Verdict(String key, Outcome outcome, int ops, String explanation) {}

  public enum Outcome { LINEARIZABLE, VIOLATION, INCONCLUSIVE }

  /** Checks every service of the history; verdicts in order of first appearance. */
  public List<Verdict> check(List<Op> history) {
    Map<String, List<Op>> byKey = new LinkedHashMap<>();
    for (Op op : history) {
      if (relevant(op)) {
        byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    List<Verdict> verdicts = new ArrayList<>();
    byKey.forEach((key, ops) -> verdicts.add(checkKey(key, ops)));
    return verdicts;
  }

  static boolean relevant(Op op) {
    if (op.result() == Op.Result.REFUSED) {
      return false;
    }
    return !(op.kind() == Op.Kind.READ && op.unknown());
  }

  /** A state the model cannot reach. */
  private static final String INVALID = "\u0000invalid";

  /** The register: {@code null} is an absent service. Returns {@link #INVALID} when op cannot happen in state. */
  static String step(String state, Op op) {
    boolean present = state != null;
    switch (op.kind()) {
      case CREATE:
        if (op.result() == Op.Result.EXISTS) {
          return present ? state : INVALID;
        }
        return present ? INVALID : op.value();
      case UPDATE:
      case SCALE:
        if (op.result() == Op.Result.NOT_FOUND) {
          return present ? INVALID : null;
        }
        return present && state.equals(op.expected()) ? op.value() : INVALID;
      case REMOVE:
        if (op.result() == Op.Result.NOT_FOUND) {
          return present ? INVALID : null;
        }
        return present ? null : INVALID;
      case READ:
        if (op.result() == Op.Result.NOT_FOUND) {
          return present ? INVALID : null;
        }
        return present && state.equals(op.read()) ? state : INVALID;
      default:
        throw new IllegalArgumentException("unknown operation " + op.kind());
    }
  }

  /** An event of the search list: the call or the return of one op. */
  private static final class Entry {
    final int op;
    final boolean call;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(int op, boolean call, long time) {
      this.op = op;
      this.call = call;
      this.time = time;
    }
  }

  private record Seen(BitSet linearized, String state) {}

  private record Frame(Entry call, String stateBefore) {}

  Verdict checkKey(String key, List<Op> ops) {
    List<Entry> events = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      Entry call = new Entry(i, true, op.start());
      Entry ret = new Entry(i, false, op.unknown() ? Long.MAX_VALUE : op.end());
      call.match = ret;
      events.add(call);
      events.add(ret);
    }
    // At equal times calls come first: the two ops are then taken as concurrent (the weaker claim).
    events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> !e.call));
    Entry head = new Entry(-1, true, Long.MIN_VALUE);
    Entry last = head;
    for (Entry e : events) {
      last.next = e;
      e.prev = last;
      last = e;
    }
    BitSet linearized = new BitSet(ops.size());
    Set<Seen> seen = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    String state = null;
    Entry entry = head.next;
    long steps = 0;
    int deepest = -1;
    String deepestState = null;
    List<Integer> deepestOrder = List.of();
    Entry stuckAt = null;
    while (entry != null) {
      if (++steps > budget) {
        return new Verdict(key, Outcome.INCONCLUSIVE, ops.size(),
            "search budget of " + budget + " steps spent after placing " + (deepest + 1) + " of " + ops.size() + " calls");
      }
      if (entry.call) {
        String next = step(state, ops.get(entry.op));
        if (!INVALID.equals(next)) {
          BitSet after = (BitSet) linearized.clone();
          after.set(entry.op);
          if (seen.add(new Seen(after, next))) {
            stack.push(new Frame(entry, state));
            state = next;
            linearized.set(entry.op);
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        if (entry.time == Long.MAX_VALUE) {
          return new Verdict(key, Outcome.LINEARIZABLE, ops.size(), "");
        }
        if (stack.size() > deepest) {
          deepest = stack.size();
          deepestState = state;
          deepestOrder = stack.stream().map(f -> f.call().op).toList();
          stuckAt = entry;
        }
        if (stack.isEmpty()) {
          break;
        }
        Frame f = stack.pop();
        state = f.stateBefore();
        linearized.clear(f.call().op);
        unlift(f.call());
        entry = f.call().next;
      }
    }
    if (entry == null) {
      return new Verdict(key, Outcome.LINEARIZABLE, ops.size(), "");
    }
    return new Verdict(key, Outcome.VIOLATION, ops.size(), explain(ops, deepestOrder, deepestState, stuckAt));
  }

  private static String explain(List<Op> ops, List<Integer> order, String state, Entry stuck) {
    StringBuilder b = new StringBuilder();
    b.append("no order of the calls fits the register; the longest valid prefix places ").append(order.size())
        .append(" calls and leaves the service ").append(state == null ? "absent" : "holding " + state)
        .append(", then this call cannot take effect before it returned: ").append(describe(ops.get(stuck.op)));
    List<Integer> chronological = new ArrayList<>(order);
    java.util.Collections.reverse(chronological);
    int from = Math.max(0, chronological.size() - 5);
    b.append("\n  last placed calls:");
    for (int i = from; i < chronological.size(); i++) {
      b.append("\n    ").append(describe(ops.get(chronological.get(i))));
    }
    return b.toString();
  }

  static String describe(Op op) {
    StringBuilder b = new StringBuilder();
    b.append("client ").append(op.process()).append(' ').append(op.kind().name().toLowerCase(java.util.Locale.ROOT))
        .append(' ').append(op.key());
    if (op.expected() != null) {
      b.append(" if ").append(op.expected());
    }
    if (op.value() != null) {
      b.append(" := ").append(op.value());
    }
    b.append(" -> ").append(op.result());
    if (op.kind() == Op.Kind.READ && op.result() == Op.Result.OK) {
      b.append(' ').append(op.read());
    }
    b.append(" [").append(op.start()).append(", ")
        .append(op.unknown() ? "?" : Long.toString(op.end())).append(']');
    return b.toString();
  }

  private static void lift(Entry call) {
    call.prev.next = call.next;
    call.next.prev = call.prev;
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    call.next.prev = call;
  }
}
