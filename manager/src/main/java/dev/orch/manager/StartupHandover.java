package dev.orch.manager;

import dev.orch.store.raft.RaftStore;
import dev.orch.store.raft.RaftStoreConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restarted manager can win an election before it serves its Control and Dispatcher APIs (its
 * Raft server starts first; on a loaded machine the rest of the start-up takes many seconds).
 * Meanwhile the other managers name it as the leader, so nodes are sent to a dispatcher that does
 * not answer and cannot open sessions. A manager that gains leadership before it serves therefore
 * hands leadership over to another voting member at once; when no member takes it (none is
 * caught up or reachable), it keeps leading, as it would have anyway.
 */
final class StartupHandover {
  private static final Logger LOG = LoggerFactory.getLogger(StartupHandover.class);

  private static final int ROUNDS = 3;
  private static final long RETRY_PAUSE_MS = 200;

  private final RaftStore store;
  private final AtomicBoolean serving = new AtomicBoolean();
  private final AtomicBoolean handingOver = new AtomicBoolean();

  StartupHandover(RaftStore store) {
    this.store = store;
  }

  /** From now on this manager keeps the leadership it wins. */
  void serving() {
    serving.set(true);
  }

  /**
   * Called when this member gains or loses leadership. The result completes with the member that
   * took over, or null when no hand-over was needed or tried (not leading, serving already, the
   * only member, or one under way); it fails when no member took over.
   */
  CompletableFuture<String> onLeadership(boolean leader) {
    if (!leader || serving.get() || !handingOver.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    List<String> others = new ArrayList<>();
    for (RaftStoreConfig.Peer peer : store.members()) {
      if (!peer.id().equals(store.memberId())) {
        others.add(peer.id());
      }
    }
    if (others.isEmpty()) {
      handingOver.set(false); // the only member: it must lead to serve at all
      return CompletableFuture.completedFuture(null);
    }
    LOG.info("store member {} won leadership before serving its APIs; handing it over to one of {}",
        store.memberId(), others);
    return tryNext(others, 0).whenComplete((to, error) -> {
      handingOver.set(false);
      if (error != null) {
        LOG.info("leadership was not handed over ({}); this manager keeps leading", error.getMessage());
      } else if (to != null) {
        LOG.info("leadership handed over to store member {}", to);
      }
    });
  }

  /**
   * Tries the members in turn, a few rounds (a leader that has not committed its first entry yet
   * cannot transfer); completes with the member that took over, or null once it is not needed.
   */
  private CompletableFuture<String> tryNext(List<String> others, int attempt) {
    if (serving.get() || !store.isLeader()) {
      return CompletableFuture.completedFuture(null);
    }
    String target = others.get(attempt % others.size());
    return store.transferLeadership(target).handle((ok, error) -> error)
        .thenCompose(error -> {
          if (error == null) {
            return CompletableFuture.completedFuture(target);
          }
          if (attempt + 1 < ROUNDS * others.size()) {
            return CompletableFuture.supplyAsync(() -> null,
                CompletableFuture.delayedExecutor(RETRY_PAUSE_MS, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> tryNext(others, attempt + 1));
          }
          return CompletableFuture.failedFuture(error);
        });
  }
}
