package dev.orch.manager.orchestrator;

import dev.orch.manager.StoreWriter;
import dev.orch.proto.StoreAction;
import dev.orch.proto.TransactionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes a controller's actions in transactions of bounded size. One Raft entry of 100,000 task
 * updates is tens of megabytes that every member must hold, send and apply in one go; entries of a
 * few thousand keep each commit short and let Raft pipeline them. Only for actions that stand on
 * their own (each carries the version it read), since the batches commit independently.
 */
final class TransactionBatches {
  /** Actions per transaction: about a megabyte of task updates. */
  static final int MAX_ACTIONS = 4_000;
  private static final long COMMIT_TIMEOUT_MS = 30_000;

  private TransactionBatches() {}

  /**
   * Proposes all batches at once, then waits for every one. Throws (so that the controller
   * re-queues its key) if any batch is refused or not committed; the others may have committed.
   */
  static void commit(StoreWriter writer, List<StoreAction> actions, String what) {
    List<CompletableFuture<TransactionResult>> pending = new ArrayList<>();
    for (int from = 0; from < actions.size(); from += MAX_ACTIONS) {
      pending.add(writer.submitBulkAsync(actions.subList(from, Math.min(actions.size(), from + MAX_ACTIONS))));
    }
    String refusal = null;
    for (CompletableFuture<TransactionResult> f : pending) {
      TransactionResult r = await(f, what);
      if (!r.getOk() && refusal == null) {
        refusal = r.getError();
      }
    }
    if (refusal != null) {
      throw new IllegalStateException(what + ": " + refusal);
    }
  }

  private static TransactionResult await(CompletableFuture<TransactionResult> f, String what) {
    try {
      return f.get(COMMIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreWriter.StoreWriteException(what + ": interrupted while committing", e);
    } catch (ExecutionException e) {
      throw new StoreWriter.StoreWriteException(what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new StoreWriter.StoreWriteException(what + ": not committed within " + COMMIT_TIMEOUT_MS + " ms", e);
    }
  }
}
