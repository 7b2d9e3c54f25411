package dev.orch.scheduler;

import dev.orch.scheduler.constraint.SpreadPreference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The eligible nodes of one task group, arranged by the service's spread preferences: one level
 * per preference, one branch per value (nodes without the attribute share the "" branch), and
 * heaps of nodes at the leaves. Each placement walks down the branch holding the fewest tasks of
 * the service, so every level stays even, then takes the best node of the leaf.
 *
 * <p>Within one group the checks that can fail during the pass (reservations, replicas per node)
 * only get stricter as tasks are placed, so a node that fails one is dropped for the rest of the
 * group, and a branch whose nodes are all dropped is dropped too.
 */
abstract class SpreadTree {
  int serviceTasks;
  final int tieBreak;

  private SpreadTree(int tieBreak) {
    this.tieBreak = tieBreak;
  }

  /** Picks a node for one task and counts the task on it; null when no node can take it. */
  abstract NodeCandidate take(GroupPass pass);

  private static final Comparator<SpreadTree> FEWEST_TASKS =
      Comparator.<SpreadTree>comparingInt(t -> t.serviceTasks).thenComparingInt(t -> t.tieBreak);

  /** A node in a leaf, with the count of the service's tasks on it kept at hand for ordering. */
  static final class Slot {
    final NodeCandidate node;
    int serviceTasks;

    Slot(NodeCandidate node, int serviceTasks) {
      this.node = node;
      this.serviceTasks = serviceTasks;
    }
  }

  /** Spread: the fewest tasks of the service, then the fewest tasks overall, then the seeded tie-break. */
  static final Comparator<Slot> SPREAD = (a, b) -> {
    int c = Integer.compare(a.serviceTasks, b.serviceTasks);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.node.totalTasks(), b.node.totalTasks());
    return c != 0 ? c : Integer.compare(a.node.tieBreak(), b.node.tieBreak());
  };

  /** Binpack: the fullest node first (by reservations, then by task count), so whole nodes stay free. */
  static final Comparator<Slot> BINPACK = (a, b) -> {
    int c = Double.compare(b.node.utilization(), a.node.utilization());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(b.node.totalTasks(), a.node.totalTasks());
    return c != 0 ? c : Integer.compare(a.node.tieBreak(), b.node.tieBreak());
  };

  static SpreadTree build(List<Slot> slots, List<SpreadPreference> prefs, Comparator<Slot> order, Random random) {
    return build(slots, prefs, 0, order, random, 0);
  }

  private static SpreadTree build(
      List<Slot> slots, List<SpreadPreference> prefs, int level, Comparator<Slot> order, Random random, int tie) {
    if (level == prefs.size()) {
      return new Leaf(slots, order, tie);
    }
    // Sorted by value so that the tree, and with it the tie-breaks drawn below, is reproducible.
    Map<String, List<Slot>> byValue = new TreeMap<>();
    for (Slot s : slots) {
      String value = prefs.get(level).descriptor().valueOf(s.node.node());
      byValue.computeIfAbsent(value, v -> new ArrayList<>()).add(s);
    }
    List<SpreadTree> children = new ArrayList<>(byValue.size());
    for (List<Slot> inValue : byValue.values()) {
      children.add(build(inValue, prefs, level + 1, order, random, random.nextInt()));
    }
    return new Branch(children, tie);
  }

  private static final class Branch extends SpreadTree {
    private final MinHeap<SpreadTree> children;

    Branch(List<SpreadTree> children, int tieBreak) {
      super(tieBreak);
      for (SpreadTree c : children) {
        serviceTasks += c.serviceTasks;
      }
      this.children = new MinHeap<>(children, FEWEST_TASKS);
    }

    @Override
    NodeCandidate take(GroupPass pass) {
      while (true) {
        SpreadTree child = children.poll();
        if (child == null) {
          return null;
        }
        NodeCandidate n = child.take(pass);
        if (n != null) {
          children.add(child);
          serviceTasks++;
          return n;
        }
        // Every node under this child failed a check that only gets stricter: leave it out.
      }
    }
  }

  private static final class Leaf extends SpreadTree {
    private final MinHeap<Slot> slots;

    Leaf(List<Slot> slots, Comparator<Slot> order, int tieBreak) {
      super(tieBreak);
      for (Slot s : slots) {
        serviceTasks += s.serviceTasks;
      }
      this.slots = new MinHeap<>(slots, order);
    }

    @Override
    NodeCandidate take(GroupPass pass) {
      while (true) {
        Slot s = slots.poll();
        if (s == null) {
          return null;
        }
        if (!pass.fits(s.node)) {
          continue;
        }
        pass.count(s.node);
        s.serviceTasks++;
        serviceTasks++;
        slots.add(s);
        return s.node;
      }
    }
  }
}
