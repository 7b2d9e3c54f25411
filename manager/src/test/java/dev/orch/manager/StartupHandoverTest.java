package dev.orch.manager;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.orch.store.raft.RaftStore;
import dev.orch.store.raft.RaftStoreConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real three- and one-member Raft groups on loopback, tuned as managers run them. */
class StartupHandoverTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  private final List<RaftStore> stores = new ArrayList<>();

  @AfterEach
  void stop() {
    stores.forEach(RaftStore::close);
  }

  private List<RaftStore> group(String... ids) throws IOException {
    List<RaftStoreConfig.Peer> peers = new ArrayList<>();
    for (String id : ids) {
      peers.add(new RaftStoreConfig.Peer(id, freeAddress()));
    }
    for (RaftStoreConfig.Peer peer : peers) {
      stores.add(RaftStore.start(new RaftStoreConfig(dir.resolve(peer.id()), "handover-test", peer.id(),
          peer.address(), peers, ManagerNode.TUNING)));
    }
    return stores;
  }

  private RaftStore awaitLeader() {
    return await().atMost(WAIT).until(() -> stores.stream().filter(RaftStore::isLeader).findFirst().orElse(null),
        java.util.Objects::nonNull);
  }

  @Test
  void aLeaderHandsLeadershipToAnotherMemberOnlyWhileItDoesNotServe() throws Exception {
    group("m1", "m2", "m3");
    RaftStore leader = awaitLeader();
    StartupHandover serving = new StartupHandover(leader);
    serving.serving();
    assertNull(serving.onLeadership(true).get(1, TimeUnit.SECONDS), "a serving leader is left alone");

    StartupHandover starting = new StartupHandover(leader);
    assertNull(starting.onLeadership(false).get(1, TimeUnit.SECONDS), "nothing to do on losing leadership");
    String to = starting.onLeadership(true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertNotNull(to, "a member took over");
    assertNotEquals(leader.memberId(), to);
    await().atMost(WAIT).until(() -> stores.stream().anyMatch(s -> s.isLeader() && !s.memberId().equals(leader.memberId())));
  }

  @Test
  void theOnlyMemberKeepsLeadership() throws Exception {
    group("solo");
    RaftStore leader = awaitLeader();
    assertNull(new StartupHandover(leader).onLeadership(true).get(1, TimeUnit.SECONDS));
    assertEquals("solo", leader.leaderId().orElseThrow());
  }

  private static InetSocketAddress freeAddress() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress("127.0.0.1", s.getLocalPort());
    }
  }
}
