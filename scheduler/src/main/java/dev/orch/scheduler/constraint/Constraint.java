package dev.orch.scheduler.constraint;

import dev.orch.proto.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code DESCRIPTOR==VALUE} or {@code DESCRIPTOR!=VALUE}. Values compare without regard to case,
 * as Swarm's do, so {@code node.platform.os==Linux} matches a node that reports {@code linux}.
 */
public final class Constraint {
  private static final String FORM = "use KEY==VALUE or KEY!=VALUE, e.g. node.labels.zone==eu";

  private final String text;
  private final NodeDescriptor descriptor;
  private final boolean equal;
  private final String value;

  private Constraint(String text, NodeDescriptor descriptor, boolean equal, String value) {
    this.text = text;
    this.descriptor = descriptor;
    this.equal = equal;
    this.value = value;
  }

  /** Parses one constraint, refusing anything it would not be able to evaluate. */
  public static Constraint parse(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      throw new InvalidPlacementException("empty constraint: " + FORM);
    }
    int eq = t.indexOf("==");
    int ne = t.indexOf("!=");
    int at = eq >= 0 && (ne < 0 || eq < ne) ? eq : ne;
    if (at < 0) {
      throw new InvalidPlacementException("invalid constraint \"" + t + "\": no operator; " + FORM);
    }
    String key = t.substring(0, at).strip();
    String value = t.substring(at + 2).strip();
    if (key.isEmpty()) {
      throw new InvalidPlacementException("invalid constraint \"" + t + "\": no key before the operator; " + FORM);
    }
    if (value.isEmpty()) {
      throw new InvalidPlacementException("invalid constraint \"" + t + "\": no value after the operator; " + FORM);
    }
    if (value.startsWith("=") || value.contains("==") || value.contains("!=")) {
      throw new InvalidPlacementException("invalid constraint \"" + t + "\": more than one operator; " + FORM);
    }
    NodeDescriptor descriptor;
    try {
      descriptor = NodeDescriptor.parse(key);
    } catch (InvalidPlacementException e) {
      throw new InvalidPlacementException("invalid constraint \"" + t + "\": " + e.getMessage());
    }
    if (descriptor.isRole() && !value.equalsIgnoreCase("manager") && !value.equalsIgnoreCase("worker")) {
      throw new InvalidPlacementException("invalid constraint \"" + t + "\": node.role is manager or worker");
    }
    return new Constraint(key + (at == eq ? "==" : "!=") + value, descriptor, at == eq, value);
  }

  /** Parses every constraint of a service; the first bad one is reported. */
  public static List<Constraint> parseAll(List<String> texts) {
    List<Constraint> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(parse(t));
    }
    return out;
  }

  public boolean matches(Node node) {
    return descriptor.valueOf(node).equalsIgnoreCase(value) == equal;
  }

  /** The constraint in its normal form, e.g. {@code node.labels.zone==eu}. */
  @Override
  public String toString() {
    return text;
  }
}
