package dev.orch.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SettledVotersTest {
  @Test
  void committedStableConfigurationCountsEveryMember() {
    assertEquals(Set.of("m1", "m2", "m3"), MembershipChanges.settledVoters(Set.of("m1", "m2", "m3"), Set.of(), true));
  }

  @Test
  void memberBeingAddedDoesNotCountDuringTheJointConfiguration() {
    assertEquals(Set.of("m1", "m2"), MembershipChanges.settledVoters(Set.of("m1", "m2", "m3"), Set.of("m1", "m2"), true));
  }

  @Test
  void memberBeingRemovedDoesNotCountDuringTheJointConfiguration() {
    assertEquals(Set.of("m1", "m2"), MembershipChanges.settledVoters(Set.of("m1", "m2"), Set.of("m1", "m2", "m3"), true));
  }

  @Test
  void newConfigurationNotYetCommittedCountsNoFollower() {
    assertEquals(Set.of(), MembershipChanges.settledVoters(Set.of("m1", "m2", "m3"), Set.of(), false));
  }
}
