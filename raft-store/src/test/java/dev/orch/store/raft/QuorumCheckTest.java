package dev.orch.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuorumCheckTest {
  private static final Set<String> THREE = Set.of("m1", "m2", "m3");

  @Test
  void changesThatKeepAQuorumPass() {
    assertEquals(Optional.empty(), QuorumCheck.refusal("adding m2", Set.of("m1"), Set.of("m1", "m2"), Set.of("m1", "m2")));
    assertEquals(Optional.empty(), QuorumCheck.refusal("removing m3", THREE, Set.of("m1", "m2"), Set.of("m1", "m2")));
    assertEquals(Optional.empty(), QuorumCheck.refusal("adding m4", THREE, Set.of("m1", "m2", "m3", "m4"),
        Set.of("m1", "m2", "m4")));
  }

  @Test
  void removingALiveMemberBesideADeadOneIsRefused() {
    String why = QuorumCheck.refusal("removing m2", THREE, Set.of("m1", "m3"), Set.of("m1", "m2")).orElseThrow();
    assertEquals("removing m2 would leave 2 members of which only 1 (m1) is reachable, fewer than the 2 a quorum "
        + "needs, so the store could not commit anything. Bring m3 back first, or remove an unreachable member "
        + "instead.", why);
  }

  @Test
  void aChangeTheCurrentMembersCannotCommitIsRefused() {
    String why = QuorumCheck.refusal("removing m2", Set.of("m1", "m2"), Set.of("m1"), Set.of("m1")).orElseThrow();
    assertEquals("removing m2 needs 2 of the 2 current members to agree, but only 1 (m1) is reachable; m2 is down. "
        + "Bring m2 back first; if it is gone for good, restart a surviving member with force-new-cluster.", why);
    String two = QuorumCheck.refusal("adding m6", Set.of("m1", "m2", "m3", "m4", "m5"),
        Set.of("m1", "m2", "m3", "m4", "m5", "m6"), Set.of("m1", "m2", "m6")).orElseThrow();
    assertTrue(two.contains("m3 and m4 and m5 are down"), two);
  }

  @Test
  void theLastMemberCannotBeRemoved() {
    String why = QuorumCheck.refusal("removing m1", Set.of("m1"), Set.of(), Set.of("m1")).orElseThrow();
    assertTrue(why.startsWith("removing m1 would leave the group without members"), why);
  }
}
