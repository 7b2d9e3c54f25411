package dev.orch.manager.orchestrator;

import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import dev.orch.store.Store;
import dev.orch.store.StoreView;
import dev.orch.store.state.ObjectStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The store's own state machine without Raft, applying each transaction at once on the caller's
 * thread: controllers under test see exactly the validation, versions and events of the real store.
 */
public final class InMemoryStore implements Store {
  private final ObjectStore objects = new ObjectStore();
  private final List<Consumer<List<WatchEvent>>> watchers = new CopyOnWriteArrayList<>();
  private final List<Transaction> committed = new CopyOnWriteArrayList<>();
  private long index;
  private Runnable beforeNextSubmit;

  /** Runs {@code race} just before the next transaction is applied, as a concurrent writer would. */
  synchronized void beforeNextSubmit(Runnable race) {
    this.beforeNextSubmit = race;
  }

  /** Every transaction submitted so far, refused ones included. */
  public List<Transaction> transactions() {
    return committed;
  }

  @Override
  public synchronized CompletableFuture<TransactionResult> submit(Transaction tx) {
    Runnable race = beforeNextSubmit;
    beforeNextSubmit = null;
    if (race != null) {
      race.run();
    }
    committed.add(tx);
    ObjectStore.Applied applied = objects.apply(tx, ++index);
    watchers.forEach(w -> w.accept(applied.events()));
    return CompletableFuture.completedFuture(applied.result());
  }

  @Override
  public synchronized <T> T read(Function<StoreView, T> reader) {
    return reader.apply(objects);
  }

  @Override
  public AutoCloseable watch(Consumer<List<WatchEvent>> listener) {
    watchers.add(listener);
    return () -> watchers.remove(listener);
  }

  @Override
  public boolean isLeader() {
    return true;
  }

  @Override
  public void addLeadershipListener(Consumer<Boolean> listener) {
    listener.accept(true);
  }

  @Override
  public void close() {}
}
