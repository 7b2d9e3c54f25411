package dev.orch.store.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import dev.orch.store.StoreUnavailableException;
import dev.orch.store.StoreView;
import dev.orch.store.state.BackupCodec;
import dev.orch.store.state.ObjectStore;
import dev.orch.store.state.StateHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Store} member backed by an Apache Ratis server with the gRPC transport.
 *
 * <p>On the leader, {@link #submit} proposes in process and batches transactions submitted
 * together into one log entry ({@link ProposalBatcher}); elsewhere it sends through a Ratis client
 * that finds the leader (wherever it is) and retries across elections until the submit timeout.
 * {@link #read} is served from this member's applied state, so on a follower it may trail the
 * leader by a few entries; {@link #readLinearizable} confirms the read index with the leader
 * first. Every object carries the index it was written at, and writes are checked against it.
 * Membership, backup and recovery are here too; see the module README.
 */
public final class RaftStore implements Store {
  private static final Logger LOG = LoggerFactory.getLogger(RaftStore.class);
  private static final Duration SERVER_CLOSE_TIMEOUT = Duration.ofSeconds(15);

  private final RaftStoreConfig config;
  private final Clock clock;
  private final RaftGroup group;
  private final OrchStateMachine stateMachine;
  private final LeadershipRelay leadership;
  private final RaftServer server;
  /**
   * Renewed after a failed submit (a Ratis ordered client whose request ran out of retries fails
   * every later request too) and when the membership changes.
   */
  private final RaftClients clients;
  private final MembershipChanges membership;
  private final LinearizableReads linearizableReads;
  /** The leader's in-process, batched write path. */
  private final ProposalBatcher proposals;
  /** Completes submit futures off the gRPC threads, so a caller's continuation cannot stall Ratis. */
  private final ExecutorService completions;
  private final Executor completionExecutor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RaftStore(RaftStoreConfig config, Clock clock, RaftGroup group, OrchStateMachine stateMachine,
      LeadershipRelay leadership, RaftServer server) {
    this.config = config;
    this.clock = clock;
    this.group = group;
    this.stateMachine = stateMachine;
    this.leadership = leadership;
    this.server = server;
    this.clients = new RaftClients(config, server, group.getGroupId());
    this.completions = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "orch-store-completions-" + config.memberId());
      t.setDaemon(true);
      return t;
    });
    // Once the thread has shut down, complete inline so that no future is left hanging.
    this.completionExecutor = task -> {
      try {
        completions.execute(task);
      } catch (RejectedExecutionException e) {
        task.run();
      }
    };
    this.membership = new MembershipChanges(server, group.getGroupId(), config.memberId(), config.tuning(),
        completionExecutor);
    this.linearizableReads = new LinearizableReads(server, group.getGroupId(), config.memberId(),
        config.tuning().readTimeout(), closed::get);
    this.proposals = new ProposalBatcher(server, group.getGroupId(), config.memberId(),
        config.tuning().submitTimeout(), completionExecutor, leadership::isLeader, this::submitViaClient);
  }

  /** Starts this member with the system clock. */
  public static RaftStore start(RaftStoreConfig config) throws IOException {
    return start(config, Clock.systemUTC());
  }

  /**
   * Starts this member: loads the latest snapshot, opens the Raft log under {@code dir/raft} and
   * joins the group. Returns without waiting for an election; the log after the snapshot is
   * replayed in the background and {@link #addLeadershipListener} reports when this member leads.
   *
   * @param clock stamps {@code proposed_at_ms} on transactions that do not carry one
   */
  public static RaftStore start(RaftStoreConfig config, Clock clock) throws IOException {
    RaftGroup group = RaftSettings.group(config);
    LeadershipRelay leadership = new LeadershipRelay(config.memberId());
    OrchStateMachine stateMachine = new OrchStateMachine(leadership::signal);
    RaftServer server = null;
    try {
      server = RaftServer.newBuilder()
          .setServerId(RaftSettings.peerId(config.memberId()))
          .setGroup(group)
          .setProperties(RaftSettings.serverProperties(config))
          .setStateMachine(stateMachine)
          .setOption(RaftSettings.startupOption(config))
          .build();
      server.start();
      LOG.info("store member {} started: group {} at {}, peers {}", config.memberId(), group.getGroupId(),
          RaftSettings.hostPort(config.raftAddress()), config.peers());
      return new RaftStore(config, clock, group, stateMachine, leadership, server);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        closeQuietly(server, "raft server");
      }
      leadership.close();
      throw e;
    }
  }

  @Override
  public CompletableFuture<TransactionResult> submit(Transaction tx) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(unavailable("store member " + config.memberId() + " is closed", null));
    }
    Transaction stamped = tx.getProposedAtMs() > 0 ? tx : tx.toBuilder().setProposedAtMs(clock.millis()).build();
    String invalid = ObjectStore.validate(stamped);
    if (invalid == null) {
      invalid = Proposals.tooLarge(stamped);
    }
    if (invalid != null) {
      return CompletableFuture.completedFuture(refusal(invalid));
    }
    return leadership.isLeader() ? proposals.submit(stamped) : submitViaClient(stamped);
  }

  /** A member that does not lead sends each transaction to the leader through the Ratis client. */
  private CompletableFuture<TransactionResult> submitViaClient(Transaction stamped) {
    Message message = Message.valueOf(Proposals.single(stamped));
    CompletableFuture<TransactionResult> outcome = new CompletableFuture<>();
    RaftClient via;
    try {
      via = clients.current();
    } catch (StoreUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = via.async().send(message);
    } catch (RuntimeException e) {
      clients.renew(via);
      return CompletableFuture.failedFuture(unavailable("could not send the transaction: " + e, e));
    }
    sent.orTimeout(config.tuning().submitTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((reply, error) -> complete(outcome, via, reply, error), completionExecutor);
    return outcome;
  }

  private void complete(CompletableFuture<TransactionResult> outcome, RaftClient via, RaftClientReply reply,
      Throwable error) {
    if (error == null && reply != null && reply.isSuccess()) {
      try {
        outcome.complete(TransactionResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer()));
      } catch (InvalidProtocolBufferException e) {
        outcome.completeExceptionally(unavailable("the store replied with an unreadable result", e));
      }
      return;
    }
    Throwable cause = unwrap(error != null ? error : reply == null ? null : reply.getException());
    if (cause instanceof StateMachineException sme) {
      // The leader refused the transaction before replicating it; that is an answer, not an outage.
      outcome.complete(refusal(refusalMessage(sme)));
    } else {
      outcome.completeExceptionally(unavailable(describeFailure(cause), cause));
      clients.renew(via);
    }
  }

  private String describeFailure(Throwable cause) {
    String member = "store member " + config.memberId();
    if (closed.get()) {
      return member + " is closed";
    }
    if (cause instanceof AlreadyClosedException) {
      return "could not commit through " + member + ": an earlier failed submit reset its Raft client";
    }
    if (cause instanceof TimeoutException) {
      return "no commit within " + config.tuning().submitTimeout().toMillis() + " ms: the cluster has no leader "
          + "or no quorum (" + member + " sees leader " + leaderHint() + ")";
    }
    return "could not commit through " + member + " (leader " + leaderHint() + "): " + cause;
  }

  private String leaderHint() {
    try {
      RaftPeerId leader = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
      return leader == null ? "unknown" : leader.toString();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static String refusalMessage(StateMachineException sme) {
    for (Throwable t = sme; t != null; t = t.getCause()) {
      if (t instanceof TransactionRefusedException refused) {
        return refused.getMessage();
      }
    }
    // The cause did not survive the trip from the leader; Ratis puts its message after the member id.
    String message = String.valueOf(sme.getMessage());
    int at = message.indexOf(": ");
    return at >= 0 ? message.substring(at + 2) : message;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static TransactionResult refusal(String error) {
    return TransactionResult.newBuilder().setOk(false).setError(error).build();
  }

  private static StoreUnavailableException unavailable(String message, Throwable cause) {
    return new StoreUnavailableException(message, cause);
  }

  @Override
  public <T> T read(Function<StoreView, T> reader) {
    if (closed.get()) {
      throw unavailable("store member " + config.memberId() + " is closed", null);
    }
    return stateMachine.read(reader);
  }

  @Override
  public AutoCloseable watch(Consumer<List<WatchEvent>> listener) {
    return stateMachine.addWatcher(listener);
  }

  @Override
  public boolean isLeader() {
    return leadership.isLeader();
  }

  @Override
  public void addLeadershipListener(Consumer<Boolean> listener) {
    leadership.addListener(listener);
  }

  /** This member's id, as given in its config. */
  public String memberId() {
    return config.memberId();
  }

  // ---- linearizable reads ----

  /**
   * Runs {@code reader} against state that includes every write committed anywhere in the
   * cluster before this call (ReadIndex: the leader confirms its commit index with a majority,
   * this member waits until it has applied that far, then reads locally under the read lock).
   * Costs a heartbeat round to a majority; use {@link #read} where a few entries of lag are fine.
   *
   * @throws StoreUnavailableException within the read timeout ({@link RaftStoreConfig.Tuning#readTimeout},
   *     3 s by default) when no leader with a quorum confirms the read
   */
  @Override
  public <T> T readLinearizable(Function<StoreView, T> reader) {
    linearizableReads.awaitReadIndex();
    return read(reader);
  }

  // ---- membership and leadership ----

  /**
   * Adds a voting member; call it on the leader once the new member is running (started with
   * {@link RaftStoreConfig#joining}). Completes when the group has committed the new membership,
   * which includes sending the new member the state. Adding a member already present at the same
   * address completes at once.
   *
   * <p>Fails with {@link NotLeaderException} on a follower (forward to its {@code leaderId()}),
   * {@link StoreUnavailableException} when there is no leader or the change was not confirmed in
   * time, {@link IllegalArgumentException} when the id or address belongs to another member, and
   * {@link IllegalStateException} when another change is in progress or the change would leave
   * the group without a quorum of reachable members.
   */
  public CompletableFuture<Void> addMember(RaftStoreConfig.Peer peer) {
    return membership.add(peer);
  }

  /**
   * Removes a voting member; call it on the leader. The leader may remove itself: it steps down
   * once the new membership is committed and the others elect a leader among them. Removing a
   * member that is not in the group completes at once. Refused with {@link IllegalStateException}
   * when the reachable members could not commit the change or would no longer form a quorum after
   * it (the message says which members are down and what to do); other failures as in
   * {@link #addMember}.
   */
  public CompletableFuture<Void> removeMember(String memberId) {
    return membership.remove(memberId);
  }

  /** The voting members as this member knows them (during a change, the new membership), by id. */
  public List<RaftStoreConfig.Peer> members() {
    return membership.members();
  }

  /** The leader this member knows of; empty during an election or when this member is cut off. */
  public Optional<String> leaderId() {
    return membership.leaderId();
  }

  /**
   * Members the leader has heard from within the last few heartbeat rounds, itself included;
   * empty on any other member, since only the leader hears from everyone. Membership changes are
   * checked against this set.
   */
  public Set<String> reachableMembers() {
    return membership.reachable();
  }

  /**
   * Asks the group to make {@code memberId} the leader; call it on the leader. Completes when the
   * new leader is elected (about an election timeout), fails with {@link StoreUnavailableException}
   * if it was not within a few seconds (the old leader then resumes).
   */
  public CompletableFuture<Void> transferLeadership(String memberId) {
    return membership.transferLeadership(memberId);
  }

  /** The latest Raft term this member has seen. */
  public long currentTerm() {
    return membership.currentTerm();
  }

  /** The term this member leads in according to Ratis, or empty; for tests that check elections. */
  OptionalLong leadingTerm() {
    long term = membership.leadingTerm();
    return term < 0 ? OptionalLong.empty() : OptionalLong.of(term);
  }

  // ---- backup, restore and recovery ----

  /**
   * Writes a backup of this member's applied state to {@code out} (flushed, not closed): every
   * object as of one log index, in the versioned, SHA-256 checksummed format of
   * {@link BackupCodec}, streamed, so no message size limit applies. The state is copied between
   * two transactions; writes go on meanwhile. On a follower the backup may trail the leader by
   * the few entries not yet applied here; call {@link #readLinearizable} first (or back up on the
   * leader) when that matters.
   */
  public void backup(OutputStream out) throws IOException {
    OrchStateMachine.StateCopy copy = stateMachine.copy();
    BackupCodec.Header header = new BackupCodec.Header(BackupCodec.FORMAT_VERSION, config.clusterId(),
        config.memberId(), clock.millis(), copy.index(), copy.term(), copy.objects().size());
    BackupCodec.write(out, header, copy.objects());
  }

  /**
   * The {@link StateHash} of this member's applied objects: equal on members that have applied
   * the same entries, and equal to {@link #stateHash(InputStream)} of a backup of that state.
   */
  public String stateHash() {
    return StateHash.of(stateMachine.copy().objects());
  }

  /** The state hash of the objects in a backup, after verifying its checksum. */
  public static String stateHash(InputStream backup) throws IOException {
    return StateHash.of(BackupCodec.read(backup).store());
  }

  /**
   * Creates the store directory of a new one-member cluster holding a backup's state. {@code dir}
   * must not hold a store yet. The first {@link #start} of {@code dir} (with
   * {@link RaftStoreConfig#singleMember}, or any config naming this cluster and member) loads the
   * state as its initial snapshot and elects this member; further members join with
   * {@link #addMember}. Objects keep their versions, and the new log continues after the
   * backup's index.
   *
   * @throws IOException when the backup is damaged (checksum, truncation, format version) or the
   *     directory cannot be written; nothing is left in {@code dir/raft} then
   */
  public static void restore(Path dir, InputStream backup, String clusterId, String memberId,
      InetSocketAddress address) throws IOException {
    OfflineRecovery.restore(dir, backup, clusterId, memberId, address);
  }

  /**
   * Turns the directory of a stopped member into that of a one-member cluster with all of its
   * state, for when the other members are gone for good and the group cannot regain a quorum.
   * The next {@link #start} of {@code dir} elects this member alone; others join it with
   * {@link #addMember}.
   *
   * <p>Kept: everything this member applied, and every later entry it had received, committed or
   * not as far as it knew (a write acknowledged by the old cluster was on a majority, so on some
   * survivor; force the survivor with the longest log). Lost: entries this member never received.
   * The old membership and log stay in {@code dir/raft-before-force-new-cluster-<time>} until
   * deleted by hand. Fails if the member is still running (Ratis holds a lock on its directory).
   */
  public static void forceNewCluster(Path dir, String clusterId, String memberId, InetSocketAddress address)
      throws IOException {
    OfflineRecovery.forceNewCluster(dir, clusterId, memberId, address, Clock.systemUTC());
  }

  /**
   * Stops this member: pending submits fail with {@link StoreUnavailableException}, the server
   * takes a final snapshot, and leadership listeners hear {@code false} if they heard {@code true}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    proposals.close();
    closeQuietly(clients, "raft client");
    closeServer();
    leadership.close();
    completions.shutdown();
    LOG.info("store member {} closed", config.memberId());
  }

  /**
   * Ratis stops a server in about a second. Under heavy load we have seen its apply thread fail
   * during shutdown and then spin instead of exiting, which would hang the caller for good; so the
   * wait is bounded, and a server that does not stop in time is left behind (its threads are
   * daemons) rather than holding up the process.
   */
  private void closeServer() {
    Thread closer = new Thread(() -> closeQuietly(server, "raft server"), "orch-store-close-" + config.memberId());
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(SERVER_CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      LOG.error("store member {}: the Raft server did not stop within {} s; leaving it behind", config.memberId(),
          SERVER_CLOSE_TIMEOUT.toSeconds());
    }
  }

  private static void closeQuietly(AutoCloseable closeable, String what) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("could not close the {} cleanly", what, e);
    }
  }
}
