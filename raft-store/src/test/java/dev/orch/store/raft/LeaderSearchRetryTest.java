package dev.orch.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.ratis.retry.RetryPolicy;
import org.junit.jupiter.api.Test;

class LeaderSearchRetryTest {
  private static RetryPolicy.Action after(LeaderSearchRetry policy, int attempt) {
    return policy.handleAttemptFailure(() -> attempt);
  }

  @Test
  void firstRetriesAreQuickAndPausesDoubleToTheCap() {
    LeaderSearchRetry policy = new LeaderSearchRetry(Duration.ofSeconds(10));
    assertEquals(5, after(policy, 1).getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS));
    assertEquals(10, after(policy, 2).getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS));
    assertEquals(80, after(policy, 5).getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS));
    assertEquals(100, after(policy, 6).getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS));
    assertEquals(100, after(policy, 60).getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  @Test
  void retriesStopOnceThePausesSpendTheBudget() {
    LeaderSearchRetry policy = new LeaderSearchRetry(Duration.ofSeconds(10));
    int max = policy.maxAttempts();
    long spent = 0;
    for (int attempt = 1; attempt <= max; attempt++) {
      RetryPolicy.Action action = after(policy, attempt);
      assertTrue(action.shouldRetry(), "attempt " + attempt);
      spent += action.getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    assertFalse(after(policy, max + 1).shouldRetry());
    assertTrue(spent >= 10_000 && spent < 10_100, "pauses add up to the budget, got " + spent + " ms");
  }
}
