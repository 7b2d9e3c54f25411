package dev.orch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultPlanTest {
  private static final List<FaultPlan.Kind> ALL = Arrays.asList(FaultPlan.Kind.values());

  @Test
  void theSeedReplaysThePlan() {
    for (int run = 1; run <= 50; run++) {
      assertEquals(FaultPlan.of(7, run, ALL), FaultPlan.of(7, run, ALL));
    }
    List<List<FaultPlan.Fault>> a = new ArrayList<>();
    List<List<FaultPlan.Fault>> b = new ArrayList<>();
    for (int run = 1; run <= 20; run++) {
      a.add(FaultPlan.of(7, run, ALL));
      b.add(FaultPlan.of(8, run, ALL));
    }
    assertNotEquals(a, b);
  }

  @Test
  void everyKindIsDrawnAndOnlyTheChosenOnes() {
    Set<FaultPlan.Kind> seen = EnumSet.noneOf(FaultPlan.Kind.class);
    for (int run = 1; run <= 500; run++) {
      FaultPlan.of(1, run, ALL).forEach(f -> seen.add(f.kind()));
    }
    assertEquals(EnumSet.allOf(FaultPlan.Kind.class), seen);
    for (int run = 1; run <= 50; run++) {
      FaultPlan.of(1, run, List.of(FaultPlan.Kind.KILL_LEADER))
          .forEach(f -> assertEquals(FaultPlan.Kind.KILL_LEADER, f.kind()));
    }
  }

  @Test
  void faultsAreHealedWithinTheirBounds() {
    for (int run = 1; run <= 200; run++) {
      List<FaultPlan.Fault> plan = FaultPlan.of(3, run, ALL);
      assertTrue(plan.size() >= 1 && plan.size() <= 2);
      plan.forEach(f -> assertTrue(f.holdMs() >= 2000 && f.holdMs() < 6000 && f.gapMs() >= 1000));
    }
  }

  @Test
  void onlyRefusalsAreDefinite() {
    assertEquals(Op.Result.NOT_FOUND, Campaign.outcome(Op.Kind.UPDATE, Status.Code.NOT_FOUND));
    assertEquals(Op.Result.REFUSED, Campaign.outcome(Op.Kind.CREATE, Status.Code.NOT_FOUND));
    assertEquals(Op.Result.EXISTS, Campaign.outcome(Op.Kind.CREATE, Status.Code.ALREADY_EXISTS));
    assertEquals(Op.Result.REFUSED, Campaign.outcome(Op.Kind.UPDATE, Status.Code.ABORTED));
    for (Status.Code c : List.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.INTERNAL,
        Status.Code.UNKNOWN, Status.Code.CANCELLED)) {
      assertEquals(Op.Result.UNKNOWN, Campaign.outcome(Op.Kind.CREATE, c));
    }
  }
}
