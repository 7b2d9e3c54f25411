package dev.orch.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The faults of one run, drawn from the campaign seed and the run number only, so that
 * {@code --seed S} replays the same plan. Targets are roles (the leader, a follower, a worker),
 * resolved to nodes when the fault is injected.
 */
public final class FaultPlan {
  public enum Kind {
    KILL_LEADER, KILL_FOLLOWER, KILL_WORKER,
    PAUSE_LEADER, PAUSE_FOLLOWER, PAUSE_WORKER,
    PARTITION_LEADER_LINK, PARTITION_FOLLOWER_DROP, PARTITION_MAJORITY_FROM_LEADER, PARTITION_WORKER_LINK,
    NETEM_LEADER, NETEM_FOLLOWER,
    RESTART_LEADER, RESTART_FOLLOWER,
    PROMOTE_DEMOTE
  }

  /**
   * One fault: injected {@code gapMs} after the previous one healed (or after the workload
   * started), healed {@code holdMs} later. {@code pick} chooses among equal candidates (which
   * follower, which worker); {@code netemDelayMs} and {@code netemLossPct} shape netem faults.
   */
  public record Fault(Kind kind, long gapMs, long holdMs, int pick, int netemDelayMs, int netemLossPct) {}

  private FaultPlan() {}

  /** The plan of run {@code run} (1-based) of the campaign with this seed, drawn from {@code kinds}. */
  public static List<Fault> of(long seed, int run, List<Kind> kinds) {
    Random r = new Random(seed * 1_000_003L + run);
    int count = r.nextInt(3) == 0 ? 2 : 1;
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Kind kind = kinds.get(r.nextInt(kinds.size()));
      faults.add(new Fault(kind, 1000 + r.nextInt(1500), 2000 + r.nextInt(4000), r.nextInt(1 << 20),
          50 + r.nextInt(250), r.nextInt(20)));
    }
    return faults;
  }
}
