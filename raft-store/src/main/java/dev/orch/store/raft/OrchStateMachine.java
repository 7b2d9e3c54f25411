package dev.orch.store.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import dev.orch.store.StoreView;
import dev.orch.store.state.ObjectStore;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine around an {@link ObjectStore}.
 *
 * <p>Transactions are validated in {@link #startTransaction} on the leader, so a malformed one is
 * answered with an error and never enters the log. Committed entries are applied one at a time on
 * Ratis' apply thread under the write lock (an entry may hold a batch of transactions, see
 * {@link Proposals}); local reads take the read lock, so they always see a state between two
 * whole entries. Watchers are called after the lock is released, in log
 * order, on the apply thread.
 *
 * <p>Snapshots are single files named by term and index (Ratis' {@link SimpleStateMachineStorage}
 * layout) with an MD5 beside them. On start the newest snapshot is loaded and Ratis replays the log
 * after it; once a snapshot is taken Ratis purges the log entries it covers.
 */
final class OrchStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(OrchStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final List<Consumer<List<WatchEvent>>> watchers = new CopyOnWriteArrayList<>();
  private final Consumer<Boolean> leadership;
  /** Guarded by {@link #lock}; replaced wholesale when a snapshot is installed. */
  private ObjectStore objects = new ObjectStore();

  /** @param leadership told {@code true} when this member is a ready leader, {@code false} when it is not */
  OrchStateMachine(Consumer<Boolean> leadership) {
    this.leadership = leadership;
  }

  // ---- reads and watches ----

  <T> T read(Function<StoreView, T> reader) {
    lock.readLock().lock();
    try {
      return reader.apply(objects);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every object with the index and term they reflect, taken between two transactions. */
  record StateCopy(long index, long term, List<StoredObject> objects) {}

  /**
   * Copies the state under the read lock. The objects are immutable, so this costs one list of
   * references and holds up the apply thread only that long; the caller may then write or hash
   * the copy at leisure.
   */
  StateCopy copy() {
    lock.readLock().lock();
    try {
      TermIndex last = getLastAppliedTermIndex();
      return new StateCopy(objects.index(), last == null ? 0 : Math.max(0, last.getTerm()), objects.objects());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Answers a read-only request once Ratis has confirmed the read index with the leader and this
   * member has applied up to it: the reply is the applied index, and the caller then reads the
   * local state, which is at least that fresh.
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    long applied;
    lock.readLock().lock();
    try {
      applied = objects.index();
    } finally {
      lock.readLock().unlock();
    }
    return CompletableFuture.completedFuture(Message.valueOf(Long.toString(applied)));
  }

  AutoCloseable addWatcher(Consumer<List<WatchEvent>> watcher) {
    watchers.add(watcher);
    return () -> watchers.remove(watcher);
  }

  private void publish(List<WatchEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    for (Consumer<List<WatchEvent>> watcher : watchers) {
      try {
        watcher.accept(events);
      } catch (RuntimeException e) {
        // The apply thread must go on; the other watchers still need these events.
        LOG.error("watcher {} failed on events at index {}", watcher, events.get(0).getIndex(), e);
      }
    }
  }

  // ---- lifecycle and snapshots ----

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    // The lifecycle must reach RUNNING: installing a snapshot later pauses it, and Ratis checks that.
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, raftStorage);
      storage.init(raftStorage);
      SnapshotFiles.deleteLeftovers(raftStorage.getStorageDir().getStateMachineDir());
      loadLatestSnapshot();
    });
  }

  private void loadLatestSnapshot() throws IOException {
    SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
    if (latest == null) {
      return;
    }
    ObjectStore loaded = load(latest);
    lock.writeLock().lock();
    try {
      objects = loaded;
      setLastAppliedTermIndex(latest.getTermIndex());
    } finally {
      lock.writeLock().unlock();
    }
    LOG.info("{}: loaded snapshot {} with {} objects", getId(), latest.getTermIndex(), loaded.size());
  }

  /** Ratis pauses the state machine before it installs a snapshot from the leader, then calls {@link #reinitialize}. */
  @Override
  public void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  /**
   * Called after this member installed a snapshot sent by the leader: the whole state is replaced,
   * and watchers get the difference as events so they miss nothing.
   */
  @Override
  public void reinitialize() throws IOException {
    SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
    if (latest != null) {
      ObjectStore loaded = load(latest);
      List<WatchEvent> events;
      lock.writeLock().lock();
      try {
        events = ObjectStore.diff(objects, loaded);
        objects = loaded;
        setLastAppliedTermIndex(latest.getTermIndex());
      } finally {
        lock.writeLock().unlock();
      }
      LOG.info("{}: installed snapshot {} with {} objects", getId(), latest.getTermIndex(), loaded.size());
      publish(events);
    }
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  private ObjectStore load(SingleFileSnapshotInfo snapshot) throws IOException {
    return SnapshotFiles.read(snapshot, String.valueOf(getId()));
  }

  /**
   * Writes the state as of the last applied entry. Ratis calls this on the apply thread, so
   * nothing changes underneath; the read lock only documents that. A failure throws, so Ratis
   * neither records the snapshot nor purges the log.
   */
  @Override
  public long takeSnapshot() throws IOException {
    lock.readLock().lock();
    try {
      TermIndex last = getLastAppliedTermIndex();
      if (last == null || last.getIndex() <= RaftLog.INVALID_LOG_INDEX) {
        return RaftLog.INVALID_LOG_INDEX;
      }
      SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
      if (latest != null && latest.getIndex() >= last.getIndex()) {
        return latest.getIndex();
      }
      if (objects.index() != last.getIndex()) {
        throw new IOException("state is at index " + objects.index() + " but Ratis applied " + last);
      }
      File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
      ObjectStore state = objects;
      MD5Hash md5 = SnapshotFiles.write(file, out -> state.writeSnapshot(out, last.getTerm()));
      storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
      LOG.info("{}: wrote snapshot {} with {} objects to {}", getId(), last, state.size(), file);
      return last.getIndex();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public SingleFileSnapshotInfo getLatestSnapshot() {
    return storage.getLatestSnapshot();
  }

  // ---- transactions ----

  /**
   * Runs on the leader before replication: a transaction that fails validation never enters the
   * log. A batch comes from this member's own {@link ProposalBatcher}, which validated each of its
   * transactions already; here it only has to be well framed (apply validates each again anyway).
   */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext context = TransactionContext.newBuilder()
        .setStateMachine(this)
        .setClientRequest(request)
        .build();
    String problem;
    ByteString content = request.getMessage().getContent();
    try {
      List<Transaction> txs = Proposals.transactions(content);
      problem = Proposals.isBatch(content) ? null : ObjectStore.validate(txs.get(0));
      if (problem == null && !Proposals.isBatch(content)) {
        problem = Proposals.tooLarge(txs.get(0));
      }
    } catch (InvalidProtocolBufferException e) {
      problem = "request is not an orch transaction: " + e.getMessage();
    }
    if (problem != null) {
      context.setException(new TransactionRefusedException(problem));
    }
    return context;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    TermIndex termIndex = TermIndex.valueOf(entry);
    ByteString data = entry.getStateMachineLogEntry().getLogData();
    List<ObjectStore.Applied> applied;
    lock.writeLock().lock();
    try {
      applied = objects.applyAll(parse(data, termIndex.getIndex()), termIndex.getIndex());
      updateLastAppliedTermIndex(termIndex);
    } finally {
      lock.writeLock().unlock();
    }
    List<TransactionResult> results = new ArrayList<>(applied.size());
    for (ObjectStore.Applied one : applied) {
      publish(one.events());
      results.add(one.result());
    }
    ByteString reply = Proposals.isBatch(data) ? Proposals.results(results)
        : UnsafeByteOperations.unsafeWrap(results.get(0).toByteArray());
    return CompletableFuture.completedFuture(Message.valueOf(reply));
  }

  /**
   * An entry that does not parse (which validation should have made impossible) is applied as an
   * empty transaction: the store refuses it like any invalid one, on every member alike.
   */
  static List<Transaction> parse(ByteString data, long index) {
    try {
      return Proposals.transactions(data);
    } catch (InvalidProtocolBufferException e) {
      LOG.error("log entry {} is not an orch transaction; applying it as a refusal", index, e);
      return List.of(Transaction.getDefaultInstance());
    }
  }

  /** Entries that are not transactions (configuration, a new leader's first entry) still advance the index. */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    lock.writeLock().lock();
    try {
      objects.advanceIndex(index);
      super.notifyTermIndexUpdated(term, index);
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- leadership ----

  /**
   * The leader has applied its first entry of the term, and with it everything committed before:
   * only now may leader-only controllers read the state and act on it.
   */
  @Override
  public void notifyLeaderReady() {
    leadership.accept(true);
  }

  @Override
  public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
    leadership.accept(false);
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    if (!groupMemberId.getPeerId().equals(newLeaderId)) {
      leadership.accept(false);
    }
  }

  @Override
  public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
    leadership.accept(false);
  }
}
