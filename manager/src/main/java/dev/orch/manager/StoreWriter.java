package dev.orch.manager;

import dev.orch.proto.StoreAction;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The manager's only way to write: stamps transactions with the injected clock (apply uses that
 * time, so replay is deterministic) and records commit latency.
 */
public final class StoreWriter {
  /** Without a quorum a write must fail soon with a clear error rather than hang the caller. */
  private static final long COMMIT_TIMEOUT_MS = 5_000;

  private final Store store;
  private final Clock clock;
  private final Timer commitLatency;

  public StoreWriter(Store store, Clock clock, MeterRegistry metrics) {
    this.store = store;
    this.clock = clock;
    this.commitLatency =
        Timer.builder("orch.raft.commit.latency")
            .description("Time from proposing a transaction to its commit and apply")
            .publishPercentiles(0.5, 0.99)
            .register(metrics);
  }

  public Store store() {
    return store;
  }

  public CompletableFuture<TransactionResult> submitAsync(List<StoreAction> actions) {
    return propose(Transaction.newBuilder().addAllActions(actions).setProposedAtMs(clock.millis()).build());
  }

  /**
   * For bulk writes whose caller only needs to know whether they committed: the result carries no
   * objects, so the copy Raft keeps of it for a while (to answer retries) stays small.
   */
  public CompletableFuture<TransactionResult> submitBulkAsync(List<StoreAction> actions) {
    return propose(Transaction.newBuilder().addAllActions(actions).setProposedAtMs(clock.millis())
        .setOmitObjects(true).build());
  }

  /** {@link #submitBulkAsync}, waiting as {@link #submit(List)} does. */
  public TransactionResult submitBulk(List<StoreAction> actions) {
    return await(submitBulkAsync(actions));
  }

  private CompletableFuture<TransactionResult> propose(Transaction tx) {
    long start = System.nanoTime();
    return store
        .submit(tx)
        .whenComplete((r, e) -> commitLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  /**
   * Commits and waits. A refusal (stale version, name taken) is returned as {@code ok=false};
   * failing to commit at all throws {@link StoreWriteException}.
   */
  public TransactionResult submit(List<StoreAction> actions) {
    return await(submitAsync(actions));
  }

  private static TransactionResult await(CompletableFuture<TransactionResult> pending) {
    try {
      return pending.get(COMMIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreWriteException("interrupted while committing", e);
    } catch (ExecutionException e) {
      throw new StoreWriteException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new StoreWriteException(
          "the write was not committed within " + COMMIT_TIMEOUT_MS + " ms (no quorum?)", e);
    }
  }

  /** The cluster store could not commit a write. */
  public static final class StoreWriteException extends RuntimeException {
    public StoreWriteException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
