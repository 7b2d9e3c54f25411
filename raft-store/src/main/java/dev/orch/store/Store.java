package dev.orch.store;

import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The replicated object store as the rest of the manager sees it. All changes are transactions
 * replicated through Raft; reads see committed state.
 */
public interface Store extends AutoCloseable {

  /**
   * Proposes a transaction. The future completes with {@code ok=false} and an error when the store
   * refused it (validation, stale version, name taken) and exceptionally with
   * {@link StoreUnavailableException} when it could not be committed (no leader, no quorum).
   */
  CompletableFuture<TransactionResult> submit(Transaction tx);

  /** Runs {@code reader} against a consistent view of the committed state. */
  <T> T read(Function<StoreView, T> reader);

  /**
   * Like {@link #read}, but first confirms with the leader that this member has applied everything
   * committed before the call (ReadIndex), so the result is never older than an acknowledged write.
   * A store without replication has nothing to confirm.
   */
  default <T> T readLinearizable(Function<StoreView, T> reader) {
    return read(reader);
  }

  /**
   * Registers a listener called after each commit with that commit's events, in log order, on the
   * apply thread: it must not block. Closing the handle unregisters it.
   */
  AutoCloseable watch(Consumer<List<WatchEvent>> listener);

  /** Whether this member is currently the Raft leader. */
  boolean isLeader();

  /** Called with {@code true} when this member becomes leader and {@code false} when it stops being one. */
  void addLeadershipListener(Consumer<Boolean> listener);

  @Override
  void close();
}
