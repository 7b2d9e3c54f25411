package dev.orch.store.raft;

import static dev.orch.store.raft.TestStores.createService;
import static dev.orch.store.raft.TestStores.updateService;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.Service;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import dev.orch.store.StoreUnavailableException;
import dev.orch.store.raft.metrics.RatisMetricRegistries;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftStoreSingleMemberTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  private final InetSocketAddress address = TestStores.freeAddress();
  private final List<RaftStore> opened = new ArrayList<>();

  private RaftStore start(RaftStoreConfig.Tuning tuning) throws IOException {
    RaftStoreConfig config = RaftStoreConfig.singleMember(dir, "test-cluster", "m1", address).withTuning(tuning);
    RaftStore store = RaftStore.start(config, CLOCK);
    opened.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(RaftStore::close);
  }

  private static TransactionResult commit(RaftStore store, Transaction tx) throws Exception {
    return store.submit(tx).get(10, TimeUnit.SECONDS);
  }

  @Test
  void electsItselfQuicklyAndCommits() throws Exception {
    long started = System.nanoTime();
    RaftStore store = start(RaftStoreConfig.Tuning.DEFAULTS);
    List<Boolean> leadership = new CopyOnWriteArrayList<>();
    store.addLeadershipListener(leadership::add);
    await().atMost(Duration.ofSeconds(5)).until(store::isLeader);
    long electedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(electedMs < 2_000, "a single member should lead within moments, took " + electedMs + " ms");
    await().atMost(Duration.ofSeconds(5)).until(() -> leadership.equals(List.of(true)));

    TransactionResult result = commit(store, createService("s1", "web"));

    assertTrue(result.getOk(), result.getError());
    Service written = result.getObjects(0).getService();
    assertEquals(result.getIndex(), written.getMeta().getVersion());
    assertEquals(CLOCK.millis(), written.getMeta().getCreatedAtMs(), "stamped with the injected clock");
    assertEquals(written, store.read(view -> view.serviceByName("web").orElseThrow()));
    assertTrue(store.read(view -> view.index()) >= result.getIndex());
    assertFalse(RatisMetricRegistries.snapshot().isEmpty(), "Ratis reports through our metrics registry");
  }

  @Test
  void refusalsCompleteNormallyAndInvalidTransactionsAreNotReplicated() throws Exception {
    RaftStore store = start(RaftStoreConfig.Tuning.DEFAULTS);
    TransactionResult created = commit(store, createService("s1", "web"));

    TransactionResult stale = commit(store, updateService("s1", "web", created.getIndex() - 1));
    assertFalse(stale.getOk());
    assertEquals("version conflict on service web (s1): have " + created.getIndex() + ", got "
        + (created.getIndex() - 1) + "; re-read and retry", stale.getError());
    assertTrue(stale.getIndex() > created.getIndex(), "an apply-time refusal is in the log");

    TransactionResult invalid = commit(store, createService("", "web"));
    assertFalse(invalid.getOk());
    assertEquals("action 0: service has no meta.id", invalid.getError());
    assertEquals(0, invalid.getIndex(), "refused before replication: no log index");
  }

  @Test
  void theLeaderRefusesAnInvalidTransactionBeforeReplicatingIt() throws Exception {
    RaftStore store = start(RaftStoreConfig.Tuning.DEFAULTS);
    commit(store, createService("s1", "web"));
    RaftStoreConfig config = RaftStoreConfig.singleMember(dir, "test-cluster", "m1", address);
    // A client that skips RaftStore's own validation, as a member running other code might.
    try (RaftClient raw = RaftClient.newBuilder().setRaftGroup(RaftSettings.group(config))
        .setProperties(RaftSettings.clientProperties(config)).build()) {
      Transaction empty = Transaction.newBuilder().setProposedAtMs(1).build();
      ExecutionException e = assertThrows(ExecutionException.class, () -> raw.async()
          .send(Message.valueOf(ByteString.copyFrom(empty.toByteArray()))).get(10, TimeUnit.SECONDS));
      // An exception rather than a reply: a refusal at apply would have come back as ok=false.
      StateMachineException refused = assertInstanceOf(StateMachineException.class, e.getCause());
      assertTrue(refused.getMessage().endsWith("transaction has no actions"), refused.getMessage());
    }
    assertTrue(commit(store, createService("s2", "api")).getOk());
  }

  @Test
  void watchersSeeEachCommitInLogOrder() throws Exception {
    RaftStore store = start(RaftStoreConfig.Tuning.DEFAULTS);
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    AutoCloseable handle = store.watch(events::addAll);

    List<CompletableFuture<TransactionResult>> pending = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pending.add(store.submit(createService("s" + i, "svc-" + i)));
    }
    List<Long> indexes = new ArrayList<>();
    for (CompletableFuture<TransactionResult> f : pending) {
      indexes.add(f.get(10, TimeUnit.SECONDS).getIndex());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 5);
    assertEquals(indexes, events.stream().map(WatchEvent::getIndex).toList());
    assertEquals(indexes.stream().sorted().toList(), indexes, "ordered submits commit in order");

    handle.close();
    commit(store, createService("s9", "after-close"));
    assertEquals(5, events.size(), "a closed watch hears nothing more");
  }

  @Test
  void restartWithoutSnapshotReplaysTheLog() throws Exception {
    RaftStore first = start(RaftStoreConfig.Tuning.DEFAULTS);
    commit(first, createService("s1", "web"));
    TransactionResult last = commit(first, createService("s2", "api"));
    first.close();
    // Ratis snapshots on a clean stop; remove it so the state must come from replaying the log.
    deleteSnapshots();

    RaftStore second = start(RaftStoreConfig.Tuning.DEFAULTS);
    await().atMost(Duration.ofSeconds(10)).until(() -> second.read(view -> view.services().size()) == 2);
    assertEquals("s2", second.read(view -> view.serviceByName("api").orElseThrow().getMeta().getId()));
    assertEquals(last.getIndex(), (long) second.read(view -> view.service("s2").orElseThrow().getMeta().getVersion()));
    await().atMost(Duration.ofSeconds(5)).until(second::isLeader);
    assertTrue(commit(second, updateService("s1", "web2", second.read(v -> v.service("s1").orElseThrow()
        .getMeta().getVersion()))).getOk());
  }

  @Test
  void restartAfterSnapshotAndPurgeKeepsState() throws Exception {
    RaftStore first = start(TestStores.COMPACTING);
    // Submitted before the member has elected itself, the writes would take the client path and
    // its redirects; this test is about snapshots, not about that. One write at a time, so that
    // each is a log entry of its own (the leader batches concurrent ones) and compaction happens.
    await().atMost(Duration.ofSeconds(10)).until(first::isLeader);
    int count = 120;
    for (int i = 0; i < count; i++) {
      assertTrue(first.submit(createService("s" + i, "svc-" + i)).get(10, TimeUnit.SECONDS).getOk());
    }
    Path current = groupDir().resolve("current");
    await().atMost(Duration.ofSeconds(10)).until(() -> !files(groupDir().resolve("sm"), "snapshot.").isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> files(current, "log_0-").isEmpty()
        && files(current, "log_inprogress_0").isEmpty());
    long index = first.read(view -> view.index());
    first.close();

    RaftStore second = start(TestStores.COMPACTING);
    await().atMost(Duration.ofSeconds(10)).until(() -> second.read(view -> view.index()) >= index);
    assertEquals(count, (int) second.read(view -> view.services().size()));
    assertEquals("s77", second.read(view -> view.serviceByName("svc-77").orElseThrow().getMeta().getId()));
  }

  @Test
  void aClosedStoreIsUnavailable() throws Exception {
    RaftStore store = start(RaftStoreConfig.Tuning.DEFAULTS);
    store.close();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> store.submit(createService("s1", "web")).get(5, TimeUnit.SECONDS));
    assertInstanceOf(StoreUnavailableException.class, e.getCause());
    assertEquals("store member m1 is closed", e.getCause().getMessage());
    assertThrows(StoreUnavailableException.class, () -> store.read(view -> view.index()));
  }

  private void deleteSnapshots() throws IOException {
    Path sm = groupDir().resolve("sm");
    for (String name : files(sm, "snapshot.")) {
      Files.delete(sm.resolve(name));
    }
  }

  private Path groupDir() throws IOException {
    try (Stream<Path> groups = Files.list(dir.resolve("raft"))) {
      return groups.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }

  private static List<String> files(Path in, String prefix) throws IOException {
    if (!Files.isDirectory(in)) {
      return List.of();
    }
    try (Stream<Path> all = Files.list(in)) {
      return all.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
    }
  }
}
