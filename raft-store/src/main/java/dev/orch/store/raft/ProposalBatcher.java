package dev.orch.store.raft;

import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.store.StoreUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;

/**
 * The leader's write path: transactions go to this member's own Ratis server in process, and
 * those submitted while a proposal is in flight go together in the next one, as one log entry.
 *
 * <p>Going through the Ratis client instead would cost a gRPC round trip to ourselves and the
 * client's ordered sliding window for every transaction, which measured at about three times the
 * CPU of the rest of the write. Batching makes the remaining per-entry cost (replication, fsync,
 * apply, reply) shared by every transaction that arrived during one commit, so throughput grows
 * with the number of writers while a lone writer still pays one commit. One proposal is in
 * flight at a time, so transactions are committed in the order they were submitted.
 *
 * <p>A transaction that has not been proposed when this member stops leading goes through the
 * Ratis client to the new leader instead. One that was proposed and then lost its answer (the
 * leader stepped down, or no commit within the submit timeout) fails with
 * {@link StoreUnavailableException}: it may or may not have been committed, so the caller
 * re-reads and retries, as versions make safe.
 */
final class ProposalBatcher {
  /** Bounded so that one entry stays well inside gRPC's message limit and one apply stays short. */
  private static final int MAX_TRANSACTIONS = 1024;
  /**
   * Transactions (as framed in the entry) joined into one entry; a single larger one goes alone.
   * Counting their framing too keeps every entry under {@link RaftSettings#MAX_ENTRY_BYTES}.
   */
  private static final long MAX_BYTES = 4L << 20;

  private record Pending(Transaction tx, int bytes, CompletableFuture<TransactionResult> outcome) {}

  private final RaftServer server;
  private final RaftGroupId groupId;
  private final RaftPeerId self;
  private final Duration timeout;
  private final Executor completions;
  private final BooleanSupplier leading;
  private final Function<Transaction, CompletableFuture<TransactionResult>> viaClient;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean inFlight;
  private boolean closed;

  /**
   * @param leading whether this member leads now
   * @param viaClient proposes a transaction through the Ratis client, for when it does not
   */
  ProposalBatcher(RaftServer server, RaftGroupId groupId, String memberId, Duration timeout, Executor completions,
      BooleanSupplier leading, Function<Transaction, CompletableFuture<TransactionResult>> viaClient) {
    this.server = server;
    this.groupId = groupId;
    this.self = RaftSettings.peerId(memberId);
    this.timeout = timeout;
    this.completions = completions;
    this.leading = leading;
    this.viaClient = viaClient;
  }

  /** Proposes a validated transaction; the future completes as {@link RaftStore#submit}'s does. */
  CompletableFuture<TransactionResult> submit(Transaction tx) {
    Pending pending = new Pending(tx, Proposals.framedSize(tx), new CompletableFuture<>());
    List<Pending> batch;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(unavailable("store member " + self + " is closed", null));
      }
      queue.add(pending);
      batch = takeBatchIfIdle();
    }
    if (batch != null) {
      propose(batch);
    }
    return pending.outcome();
  }

  /** Under {@link #lock}: the next batch, if no proposal is in flight. */
  private List<Pending> takeBatchIfIdle() {
    if (inFlight || queue.isEmpty()) {
      return null;
    }
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), MAX_TRANSACTIONS));
    long bytes = 0;
    while (!queue.isEmpty() && batch.size() < MAX_TRANSACTIONS
        && (batch.isEmpty() || bytes + queue.peek().bytes() <= MAX_BYTES)) {
      Pending next = queue.poll();
      batch.add(next);
      bytes += next.bytes();
    }
    inFlight = true;
    return batch;
  }

  private void propose(List<Pending> batch) {
    if (!leading.getAsBoolean()) {
      // Not proposed yet, so nothing can be committed twice: let the new leader have them.
      for (Pending p : batch) {
        viaClient.apply(p.tx()).whenComplete((result, error) -> settle(p, result, error));
      }
      proposeNext();
      return;
    }
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(self)
        .setGroupId(groupId)
        .setCallId(callIds.incrementAndGet())
        .setMessage(Message.valueOf(Proposals.batch(batch.stream().map(Pending::tx).toList())))
        .setType(RaftClientRequest.writeRequestType())
        .build();
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((reply, error) -> {
          // The next proposal goes out before this one's callers are woken, to keep Raft busy.
          proposeNext();
          finish(batch, reply, error);
        }, completions);
  }

  private void proposeNext() {
    List<Pending> next;
    synchronized (lock) {
      inFlight = false;
      next = closed ? null : takeBatchIfIdle();
    }
    if (next != null) {
      propose(next);
    }
  }

  private void finish(List<Pending> batch, RaftClientReply reply, Throwable error) {
    if (error == null && reply.isSuccess()) {
      List<TransactionResult> results;
      try {
        results = Proposals.results(reply.getMessage().getContent());
      } catch (IOException e) {
        fail(batch, unavailable("the store replied with unreadable results", e));
        return;
      }
      if (results.size() != batch.size()) {
        fail(batch, unavailable("the store replied with " + results.size() + " results for " + batch.size()
            + " transactions", null));
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).outcome().complete(results.get(i));
      }
      return;
    }
    Throwable cause = error != null ? unwrap(error) : reply.getException();
    if (cause instanceof StateMachineException refused) {
      for (Pending p : batch) {
        p.outcome().complete(TransactionResult.newBuilder().setOk(false).setError(RaftStore.refusalMessage(refused))
            .build());
      }
    } else if (cause instanceof NotLeaderException) {
      fail(batch, unavailable("store member " + self + " stopped leading while committing; the transaction may or "
          + "may not have been committed: re-read and retry", cause));
    } else if (cause instanceof TimeoutException) {
      fail(batch, unavailable("no commit within " + timeout.toMillis() + " ms: the cluster has no quorum (store "
          + "member " + self + " leads no majority); the transaction may still commit", cause));
    } else {
      fail(batch, unavailable("could not commit through store member " + self + ": " + cause, cause));
    }
  }

  private static void settle(Pending p, TransactionResult result, Throwable error) {
    if (error != null) {
      p.outcome().completeExceptionally(unwrap(error));
    } else {
      p.outcome().complete(result);
    }
  }

  private static void fail(List<Pending> batch, StoreUnavailableException e) {
    batch.forEach(p -> p.outcome().completeExceptionally(e));
  }

  /** Fails what has not been proposed yet; a proposal in flight ends with the server. */
  void close() {
    List<Pending> abandoned;
    synchronized (lock) {
      closed = true;
      abandoned = new ArrayList<>(queue);
      queue.clear();
    }
    fail(abandoned, unavailable("store member " + self + " is closed", null));
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static StoreUnavailableException unavailable(String message, Throwable cause) {
    return new StoreUnavailableException(message, cause);
  }
}
