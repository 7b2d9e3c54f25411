package dev.orch.scheduler.constraint;

import dev.orch.proto.Placement;
import java.util.List;

/**
 * A service's placement, parsed: what the API edge checks before storing a spec and what the
 * scheduler evaluates. Parsing is the validation, so the two cannot disagree.
 */
public record PlacementRules(List<Constraint> constraints, List<SpreadPreference> preferences) {
  /** At most this many spread levels; each level multiplies the work of a placement. */
  public static final int MAX_PREFERENCES = 8;
  /** At most this many constraints on one service. */
  public static final int MAX_CONSTRAINTS = 64;

  /** Parses and checks {@code placement}; throws {@link InvalidPlacementException} naming the problem. */
  public static PlacementRules of(Placement placement) {
    if (placement.getConstraintsCount() > MAX_CONSTRAINTS) {
      throw new InvalidPlacementException("too many constraints (" + placement.getConstraintsCount()
          + "): at most " + MAX_CONSTRAINTS);
    }
    if (placement.getPreferencesCount() > MAX_PREFERENCES) {
      throw new InvalidPlacementException("too many placement preferences (" + placement.getPreferencesCount()
          + "): at most " + MAX_PREFERENCES);
    }
    return new PlacementRules(Constraint.parseAll(placement.getConstraintsList()),
        SpreadPreference.ofAll(placement.getPreferencesList()));
  }
}
