package dev.orch.store.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import dev.orch.store.StoreUnavailableException;
import dev.orch.store.StoreView;
import dev.orch.store.state.ObjectStore;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
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
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Store} member backed by an Apache Ratis server with the gRPC transport.
 *
 * <p>{@link #submit} sends through a Ratis client that finds the leader (wherever it is) and
 * retries across elections until the submit timeout. Reads are served from this member's applied
 * state, so on a follower they may trail the leader by a few entries; every object carries the
 * index it was written at, and writes are checked against it.
 */
public final class RaftStore implements Store {
  private static final Logger LOG = LoggerFactory.getLogger(RaftStore.class);

  private final RaftStoreConfig config;
  private final Clock clock;
  private final RaftGroup group;
  private final OrchStateMachine stateMachine;
  private final LeadershipRelay leadership;
  private final RaftServer server;
  /**
   * Replaced after a failed submit: a Ratis ordered client whose request ran out of retries fails
   * every later request too, so it is thrown away rather than left to poison later submits.
   */
  private RaftClient client;
  private final Object clientLock = new Object();
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
    this.client = newClient(config, group);
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

  private static RaftClient newClient(RaftStoreConfig config, RaftGroup group) {
    return RaftClient.newBuilder()
        .setRaftGroup(group)
        // Controllers submit on the leader, so guess ourselves first; a wrong guess costs one redirect.
        .setLeaderId(RaftSettings.peerId(config.memberId()))
        .setProperties(RaftSettings.clientProperties(config))
        .setRetryPolicy(RaftSettings.clientRetryPolicy(config))
        .build();
  }

  private RaftClient currentClient() {
    synchronized (clientLock) {
      return client;
    }
  }

  /** Swaps in a fresh client unless another failure already did; closing the old one ends its retries. */
  private void renewClient(RaftClient failed) {
    synchronized (clientLock) {
      if (client != failed || closed.get()) {
        return;
      }
      client = newClient(config, group);
    }
    LOG.info("store member {}: renewed the Raft client after a failed submit", config.memberId());
    closeQuietly(failed, "failed raft client");
  }

  @Override
  public CompletableFuture<TransactionResult> submit(Transaction tx) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(unavailable("store member " + config.memberId() + " is closed", null));
    }
    Transaction stamped = tx.getProposedAtMs() > 0 ? tx : tx.toBuilder().setProposedAtMs(clock.millis()).build();
    String invalid = ObjectStore.validate(stamped);
    if (invalid != null) {
      return CompletableFuture.completedFuture(refusal(invalid));
    }
    Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(stamped.toByteArray()));
    CompletableFuture<TransactionResult> outcome = new CompletableFuture<>();
    RaftClient via = currentClient();
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = via.async().send(message);
    } catch (RuntimeException e) {
      renewClient(via);
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
      renewClient(via);
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

  private static String refusalMessage(StateMachineException sme) {
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

  /**
   * Stops this member: pending submits fail with {@link StoreUnavailableException}, the server
   * takes a final snapshot, and leadership listeners hear {@code false} if they heard {@code true}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(currentClient(), "raft client");
    closeQuietly(server, "raft server");
    leadership.close();
    completions.shutdown();
    LOG.info("store member {} closed", config.memberId());
  }

  private static void closeQuietly(AutoCloseable closeable, String what) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("could not close the {} cleanly", what, e);
    }
  }
}
