package dev.orch.store.raft;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;

/**
 * The Raft client's retry policy: the first retries after a failed attempt come quickly and the
 * pause doubles up to a cap, until the pauses add up to the submit timeout.
 *
 * <p>Right after a leader dies, the client's first attempt goes to the dead member and fails at
 * once (connection refused); the client then turns to another member, which either leads by now
 * or names the new leader (Ratis retries a named leader without pausing). A fixed 100 ms pause
 * before that second attempt was a tenth of a failover. While there is no leader at all, the
 * pauses grow to the cap, so a member does not flood its peers during an election.
 */
final class LeaderSearchRetry implements RetryPolicy {
  static final Duration FIRST_PAUSE = Duration.ofMillis(5);
  static final Duration MAX_PAUSE = Duration.ofMillis(100);

  private final long budgetMs;

  /** @param budget the pauses of all retries together stop at about this (the submit timeout) */
  LeaderSearchRetry(Duration budget) {
    this.budgetMs = Math.max(1, budget.toMillis());
  }

  /** The pause before retry {@code attempt} (1 for the first retry). */
  static long pauseMs(int attempt) {
    int doublings = Math.min(Math.max(attempt - 1, 0), 30);
    return Math.min(MAX_PAUSE.toMillis(), FIRST_PAUSE.toMillis() << doublings);
  }

  /** How many retries fit in the budget. */
  int maxAttempts() {
    long spent = 0;
    int attempt = 0;
    while (spent < budgetMs) {
      attempt++;
      spent += pauseMs(attempt);
    }
    return attempt;
  }

  @Override
  public Action handleAttemptFailure(Event event) {
    int attempt = event.getAttemptCount();
    if (attempt > maxAttempts()) {
      return NO_RETRY_ACTION;
    }
    TimeDuration pause = TimeDuration.valueOf(pauseMs(attempt), TimeUnit.MILLISECONDS);
    return () -> pause;
  }

  @Override
  public String toString() {
    return "LeaderSearchRetry(first " + FIRST_PAUSE.toMillis() + " ms, doubling to " + MAX_PAUSE.toMillis()
        + " ms, " + budgetMs + " ms in all)";
  }
}
