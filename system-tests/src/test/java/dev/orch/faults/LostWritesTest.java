package dev.orch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.faults.Op.Kind;
import dev.orch.faults.Op.Result;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LostWritesTest {
  private static Op write(Kind kind, String v, Result r, long s, long e) {
    return new Op(1, kind, "svc", v, null, r, null, s, e, null);
  }

  private static Map<String, String> finalState(String value) {
    Map<String, String> m = new HashMap<>();
    m.put("svc", value);
    return m;
  }

  @Test
  void lastAcknowledgedWriteKept() {
    List<Op> h = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1), write(Kind.UPDATE, "b", Result.OK, 2, 3));
    assertEquals(List.of(), LostWrites.find(h, finalState("b")));
  }

  @Test
  void acknowledgedUpdateRolledBackIsLost() {
    List<Op> h = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1), write(Kind.UPDATE, "b", Result.OK, 2, 3));
    List<String> lost = LostWrites.find(h, finalState("a"));
    assertEquals(1, lost.size());
    assertEquals(true, lost.get(0).contains(":= b"), lost.get(0));
  }

  @Test
  void laterOrConcurrentWriteMayReplaceIt() {
    // c was sent before b's answer came: it may have come after b.
    List<Op> h = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1), write(Kind.UPDATE, "b", Result.OK, 2, 10),
        write(Kind.UPDATE, "c", Result.OK, 5, 6));
    assertEquals(List.of(), LostWrites.find(h, finalState("c")));
    // An unknown write may have taken effect at any later time.
    List<Op> u = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1), write(Kind.UPDATE, "b", Result.OK, 20, 21),
        write(Kind.UPDATE, "c", Result.UNKNOWN, 5, Long.MAX_VALUE));
    assertEquals(List.of(), LostWrites.find(u, finalState("c")));
  }

  @Test
  void serviceGoneWithoutRemoveLosesTheCreate() {
    List<Op> h = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1));
    assertEquals(1, LostWrites.find(h, finalState(null)).size());
    List<Op> removed = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1), write(Kind.REMOVE, null, Result.OK, 2, 3));
    assertEquals(List.of(), LostWrites.find(removed, finalState(null)));
  }

  @Test
  void acknowledgedRemoveUndoneIsLost() {
    List<Op> h = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1), write(Kind.REMOVE, null, Result.OK, 2, 3));
    assertEquals(1, LostWrites.find(h, finalState("a")).size());
  }

  @Test
  void valueNobodyWroteIsReported() {
    List<Op> h = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1));
    assertEquals(1, LostWrites.find(h, finalState("zz")).size());
  }

  @Test
  void missingFinalStateIsAnError() {
    List<Op> h = List.of(write(Kind.CREATE, "a", Result.OK, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> LostWrites.find(h, Map.of()));
  }
}
