package dev.orch.scheduler.constraint;

import dev.orch.proto.PlacementPreference;
import java.util.ArrayList;
import java.util.List;

/** {@code spread=DESCRIPTOR}: divide a service's tasks evenly between the descriptor's values. */
public final class SpreadPreference {
  private final NodeDescriptor descriptor;

  private SpreadPreference(NodeDescriptor descriptor) {
    this.descriptor = descriptor;
  }

  public static SpreadPreference of(PlacementPreference p) {
    if (p.getSpread().isBlank()) {
      throw new InvalidPlacementException("empty placement preference: use spread=DESCRIPTOR,"
          + " e.g. spread=node.labels.zone");
    }
    try {
      return new SpreadPreference(NodeDescriptor.parse(p.getSpread()));
    } catch (InvalidPlacementException e) {
      throw new InvalidPlacementException("invalid placement preference \"spread=" + p.getSpread().strip()
          + "\": " + e.getMessage());
    }
  }

  public static List<SpreadPreference> ofAll(List<PlacementPreference> prefs) {
    List<SpreadPreference> out = new ArrayList<>(prefs.size());
    for (PlacementPreference p : prefs) {
      out.add(of(p));
    }
    return out;
  }

  public NodeDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public String toString() {
    return "spread=" + descriptor;
  }
}
