package dev.orch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.faults.LinearizabilityChecker.Outcome;
import dev.orch.faults.Op.Kind;
import dev.orch.faults.Op.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
  private static final long U = Long.MAX_VALUE;

  private static Op create(int p, String v, Result r, long s, long e) {
    return new Op(p, Kind.CREATE, "svc", v, null, r, null, s, e, null);
  }

  private static Op update(int p, String expected, String v, Result r, long s, long e) {
    return new Op(p, Kind.UPDATE, "svc", v, expected, r, null, s, e, null);
  }

  private static Op remove(int p, Result r, long s, long e) {
    return new Op(p, Kind.REMOVE, "svc", null, null, r, null, s, e, null);
  }

  private static Op read(int p, String v, long s, long e) {
    return new Op(p, Kind.READ, "svc", null, null, v == null ? Result.NOT_FOUND : Result.OK, v, s, e, null);
  }

  private static Outcome verdict(Op... ops) {
    List<LinearizabilityChecker.Verdict> v = new LinearizabilityChecker().check(List.of(ops));
    assertEquals(1, v.size());
    return v.get(0).outcome();
  }

  @Test
  void sequentialHistoryIsLinearizable() {
    assertEquals(Outcome.LINEARIZABLE, verdict(
        read(1, null, 0, 1),
        create(1, "a", Result.OK, 2, 3),
        read(2, "a", 4, 5),
        update(2, "a", "b", Result.OK, 6, 7),
        read(1, "b", 8, 9),
        remove(1, Result.OK, 10, 11),
        read(2, null, 12, 13),
        create(2, "c", Result.OK, 14, 15),
        create(1, "d", Result.EXISTS, 16, 17),
        read(1, "c", 18, 19)));
  }

  @Test
  void concurrentWritesMayBeSeenInEitherOrder() {
    // Two updates overlap; reads during the overlap see either, and the later read agrees.
    assertEquals(Outcome.LINEARIZABLE, verdict(
        create(1, "a", Result.OK, 0, 1),
        update(1, "a", "b", Result.OK, 2, 10),
        read(2, "b", 3, 4),
        read(3, "b", 11, 12)));
    // The read overlapping the write may see the old value.
    assertEquals(Outcome.LINEARIZABLE, verdict(
        create(1, "a", Result.OK, 0, 1),
        update(1, "a", "b", Result.OK, 2, 10),
        read(2, "a", 3, 4),
        read(3, "b", 5, 6)));
  }

  @Test
  void staleReadAfterAnAcknowledgedWriteIsCaught() {
    // What a follower answering from its own state without ReadIndex returns: the value before
    // a write that had already been acknowledged when the read started.
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.OK, 0, 1),
        update(1, "a", "b", Result.OK, 2, 3),
        read(2, "a", 4, 5)));
  }

  @Test
  void readsThatGoBackInTimeAreCaughtEvenWhenEachAloneFits() {
    // Each read overlaps the write, so each alone is fine; b then a is not.
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.OK, 0, 1),
        update(1, "a", "b", Result.OK, 2, 20),
        read(2, "b", 3, 4),
        read(3, "a", 5, 6)));
  }

  @Test
  void staleNotFoundAfterAcknowledgedCreateIsCaught() {
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.OK, 0, 1),
        read(2, null, 2, 3)));
  }

  @Test
  void valueNeverWrittenIsCaught() {
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.OK, 0, 1),
        read(2, "z", 2, 3)));
  }

  @Test
  void twoAcknowledgedCreatesOfOneNameAreCaught() {
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.OK, 0, 1),
        create(2, "b", Result.OK, 2, 3)));
  }

  @Test
  void nameTakenWhileAbsentIsCaught() {
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.EXISTS, 0, 1)));
  }

  @Test
  void compareAndSetFromAValueNoLongerHeldIsCaught() {
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.OK, 0, 1),
        update(1, "a", "b", Result.OK, 2, 3),
        update(2, "a", "c", Result.OK, 4, 5)));
  }

  @Test
  void unknownWriteMayTakeEffectLateOrNever() {
    // Took effect after the first read: fine.
    assertEquals(Outcome.LINEARIZABLE, verdict(
        create(1, "a", Result.OK, 0, 1),
        update(1, "a", "b", Result.UNKNOWN, 2, U),
        read(2, "a", 10, 11),
        read(2, "b", 20, 21)));
    // Never took effect: fine.
    assertEquals(Outcome.LINEARIZABLE, verdict(
        create(1, "a", Result.UNKNOWN, 0, U),
        read(2, null, 10, 11)));
    // But once seen it cannot be undone.
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.OK, 0, 1),
        update(1, "a", "b", Result.UNKNOWN, 2, U),
        read(2, "b", 10, 11),
        read(2, "a", 20, 21)));
    // And it cannot take effect before it was sent.
    assertEquals(Outcome.VIOLATION, verdict(
        create(1, "a", Result.OK, 0, 1),
        read(2, "b", 2, 3),
        update(1, "a", "b", Result.UNKNOWN, 4, U)));
  }

  @Test
  void refusalsAndUnknownReadsAreLeftOut() {
    assertEquals(Outcome.LINEARIZABLE, verdict(
        create(1, "a", Result.OK, 0, 1),
        update(2, "x", "b", Result.REFUSED, 2, 3),
        new Op(3, Kind.READ, "svc", null, null, Result.UNKNOWN, null, 4, U, null),
        read(1, "a", 5, 6)));
  }

  @Test
  void servicesAreCheckedApart() {
    List<Op> ops = List.of(
        new Op(1, Kind.CREATE, "x", "a", null, Result.OK, null, 0, 1, null),
        new Op(1, Kind.CREATE, "y", "b", null, Result.OK, null, 0, 1, null),
        new Op(2, Kind.READ, "x", null, null, Result.OK, "a", 2, 3, null),
        new Op(2, Kind.READ, "y", null, null, Result.OK, "a", 2, 3, null));
    List<LinearizabilityChecker.Verdict> v = new LinearizabilityChecker().check(ops);
    assertEquals(Outcome.LINEARIZABLE, v.get(0).outcome());
    assertEquals(Outcome.VIOLATION, v.get(1).outcome());
    assertTrue(v.get(1).explanation().contains("client 2 read y"), v.get(1).explanation());
  }

  /**
   * Histories made by running a real register, each call around its linearization point with
   * random overlap, some outcomes hidden as unknown: always linearizable, found quickly; the same
   * history with one read answered from an older state is not.
   */
  @Test
  void generatedConcurrentHistories() {
    int staleChecked = 0;
    for (int seed = 1; seed <= 30; seed++) {
      Random r = new Random(seed);
      List<Op> ops = new ArrayList<>();
      String state = null;
      int n = 0;
      List<String> past = new ArrayList<>();
      int staleAt = -1;
      for (long t = 1000; ops.size() < 120; t += 1000) {
        long s = t - r.nextInt(3000);
        long e = t + r.nextInt(3000);
        int p = r.nextInt(5);
        int dice = r.nextInt(10);
        String v = "v" + (++n);
        Op op;
        if (dice < 4) {
          op = state == null ? read(p, null, s, e) : new Op(p, Kind.READ, "svc", null, null, Result.OK, state, s, e, null);
          if (state != null && past.size() > 3 && staleAt < 0 && ops.size() > 60) {
            staleAt = ops.size();
          }
        } else if (dice < 6) {
          op = create(p, v, state == null ? Result.OK : Result.EXISTS, s, e);
          state = state == null ? v : state;
        } else if (dice < 9) {
          if (state == null) {
            op = update(p, "v0", v, Result.NOT_FOUND, s, e);
          } else {
            op = update(p, state, v, Result.OK, s, e);
            state = v;
          }
        } else {
          op = remove(p, state == null ? Result.NOT_FOUND : Result.OK, s, e);
          state = null;
        }
        boolean firstValue = past.isEmpty() && state != null;
        if (state != null && !past.contains(state)) {
          past.add(state);
        }
        // The first value's writer keeps its outcome: an unknown one could take effect at any later time.
        if (!firstValue && op.isWrite() && op.result() == Result.OK && r.nextInt(8) == 0) {
          op = new Op(op.process(), op.kind(), op.key(), op.value(), op.expected(), Result.UNKNOWN, null, s, U, null);
        }
        ops.add(op);
      }
      assertEquals(Outcome.LINEARIZABLE, new LinearizabilityChecker().check(ops).get(0).outcome(), "seed " + seed);
      if (staleAt >= 0) {
        // Answer that read with the first value ever written, long overwritten (every value is
        // written once, and the read comes 60+ calls later, far outside any overlap).
        Op o = ops.get(staleAt);
        ops.set(staleAt, new Op(o.process(), Kind.READ, "svc", null, null, Result.OK, past.get(0), o.start(), o.end(), null));
        assertEquals(Outcome.VIOLATION, new LinearizabilityChecker().check(ops).get(0).outcome(), "seed " + seed);
        staleChecked++;
      }
    }
    assertTrue(staleChecked >= 20, "only " + staleChecked + " histories got a stale read");
  }

  @Test
  void aSearchOverBudgetIsInconclusiveNotPassed() {
    List<Op> ops = new ArrayList<>();
    ops.add(create(0, "a", Result.OK, 0, 1));
    // Many unknown writes, all concurrent, then a read no order can explain.
    for (int i = 0; i < 40; i++) {
      ops.add(update(i, "a", "u" + i, Result.UNKNOWN, 2, U));
    }
    ops.add(read(1, "never", 100, 101));
    assertEquals(Outcome.INCONCLUSIVE, new LinearizabilityChecker(1000).check(ops).get(0).outcome());
  }
}
