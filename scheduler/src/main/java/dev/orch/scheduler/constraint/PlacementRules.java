package dev.orch.scheduler.constraint;

import dev.orch.proto.Placement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A service's placement, parsed: what the API edge checks before storing a spec and what the
 * scheduler evaluates. Parsing is the validation, so the two cannot disagree.
 */
public record PlacementRules(List<Constraint> constraints, List<SpreadPreference> preferences) {
  /** At most this many spread levels; each level multiplies the work of a placement. */
  public static final int MAX_PREFERENCES = 8;
  /** At most this many constraints on one service. */
  public static final int MAX_CONSTRAINTS = 64;
  /**
   * A cluster has a few placements (one per service spec), asked for again for every task a
   * controller looks at; parsing is pure, so each is parsed once. Bounded: cleared when full.
   */
  private static final int CACHED = 4_096;
  private static final Map<Placement, PlacementRules> PARSED = new ConcurrentHashMap<>();

  /** Parses and checks {@code placement}; throws {@link InvalidPlacementException} naming the problem. */
  public static PlacementRules of(Placement placement) {
    PlacementRules rules = PARSED.get(placement);
    if (rules == null) {
      rules = parse(placement); // a refusal throws and is not remembered
      if (PARSED.size() >= CACHED) {
        PARSED.clear();
      }
      PARSED.put(placement, rules);
    }
    return rules;
  }

  private static PlacementRules parse(Placement placement) {
    if (placement.getConstraintsCount() > MAX_CONSTRAINTS) {
      throw new InvalidPlacementException("too many constraints (" + placement.getConstraintsCount()
          + "): at most " + MAX_CONSTRAINTS);
    }
    if (placement.getPreferencesCount() > MAX_PREFERENCES) {
      throw new InvalidPlacementException("too many placement preferences (" + placement.getPreferencesCount()
          + "): at most " + MAX_PREFERENCES);
    }
    return new PlacementRules(List.copyOf(Constraint.parseAll(placement.getConstraintsList())),
        List.copyOf(SpreadPreference.ofAll(placement.getPreferencesList())));
  }
}
