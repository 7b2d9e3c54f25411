package dev.orch.store.raft;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LeadershipRelayTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void listenersHearOnlyChangesAndLateListenersHearTheCurrentState() {
    LeadershipRelay relay = new LeadershipRelay("m1");
    List<Boolean> early = new CopyOnWriteArrayList<>();
    relay.addListener(early::add);

    relay.signal(false);  // not a change: nobody was told anything yet
    relay.signal(true);
    assertTrue(relay.isLeader());
    await().atMost(WAIT).until(() -> early.equals(List.of(true)));

    List<Boolean> late = new CopyOnWriteArrayList<>();
    relay.addListener(late::add);
    await().atMost(WAIT).until(() -> late.equals(List.of(true)));

    relay.signal(true);
    relay.signal(false);
    assertFalse(relay.isLeader());
    await().atMost(WAIT).until(() -> early.equals(List.of(true, false)) && late.equals(List.of(true, false)));

    relay.signal(true);
    relay.close();  // tells listeners leadership is gone before stopping
    assertEquals(false, early.get(early.size() - 1));
    assertEquals(false, late.get(late.size() - 1));
    relay.signal(true);  // after close: recorded, not delivered
    assertEquals(false, early.get(early.size() - 1));
  }

  @Test
  void aFailingListenerDoesNotSilenceTheOthers() {
    LeadershipRelay relay = new LeadershipRelay("m1");
    List<Boolean> heard = new CopyOnWriteArrayList<>();
    relay.addListener(leading -> {
      throw new IllegalStateException("boom");
    });
    relay.addListener(heard::add);
    relay.signal(true);
    await().atMost(WAIT).until(() -> heard.equals(List.of(true)));
    relay.close();
  }
}
