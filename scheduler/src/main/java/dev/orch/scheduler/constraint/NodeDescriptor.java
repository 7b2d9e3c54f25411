package dev.orch.scheduler.constraint;

import dev.orch.proto.Node;
import dev.orch.proto.NodeRole;
import java.util.regex.Pattern;

/**
 * One attribute of a node as constraints and spread preferences name it: {@code node.id},
 * {@code node.hostname}, {@code node.role}, {@code node.platform.os}, {@code node.platform.arch},
 * {@code node.labels.K} or {@code engine.labels.K}. A label a node does not have reads as the
 * empty string, so {@code node.labels.zone!=eu} holds on a node without a zone label, as in Swarm.
 */
public final class NodeDescriptor {
  /** Swarm's rule for label keys in descriptors: a letter or underscore, then these characters. */
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");
  static final String KNOWN = "node.id, node.hostname, node.role, node.platform.os, node.platform.arch,"
      + " node.labels.KEY or engine.labels.KEY";

  private enum Kind { ID, HOSTNAME, ROLE, OS, ARCH, NODE_LABEL, ENGINE_LABEL }

  private final String text;
  private final Kind kind;
  private final String label;

  private NodeDescriptor(String text, Kind kind, String label) {
    this.text = text;
    this.kind = kind;
    this.label = label;
  }

  /** Parses a descriptor; the field names are case-insensitive, label keys are kept as written. */
  public static NodeDescriptor parse(String text) {
    String t = text.strip();
    String lower = t.toLowerCase(java.util.Locale.ROOT);
    switch (lower) {
      case "node.id": return new NodeDescriptor(t, Kind.ID, null);
      case "node.hostname": return new NodeDescriptor(t, Kind.HOSTNAME, null);
      case "node.role": return new NodeDescriptor(t, Kind.ROLE, null);
      case "node.platform.os": return new NodeDescriptor(t, Kind.OS, null);
      case "node.platform.arch": return new NodeDescriptor(t, Kind.ARCH, null);
      default: break;
    }
    if (lower.startsWith("node.labels.")) {
      return labelled(t, Kind.NODE_LABEL, t.substring("node.labels.".length()));
    }
    if (lower.startsWith("engine.labels.")) {
      return labelled(t, Kind.ENGINE_LABEL, t.substring("engine.labels.".length()));
    }
    throw new InvalidPlacementException("unknown node attribute \"" + t + "\": use " + KNOWN);
  }

  private static NodeDescriptor labelled(String text, Kind kind, String key) {
    if (!LABEL_KEY.matcher(key).matches()) {
      throw new InvalidPlacementException("invalid label key \"" + key + "\" in \"" + text
          + "\": start with a letter or '_' and use letters, digits, '_', '.' or '-'");
    }
    return new NodeDescriptor(text, kind, key);
  }

  /** The node's value for this attribute; the empty string when it has none. */
  public String valueOf(Node node) {
    return switch (kind) {
      case ID -> node.getMeta().getId();
      case HOSTNAME -> node.getDescription().getHostname();
      case ROLE -> node.getSpec().getRole() == NodeRole.MANAGER ? "manager" : "worker";
      case OS -> node.getDescription().getOs();
      case ARCH -> node.getDescription().getArch();
      case NODE_LABEL -> node.getSpec().getLabelsOrDefault(label, "");
      case ENGINE_LABEL -> node.getDescription().getEngineLabelsOrDefault(label, "");
    };
  }

  /** Whether the attribute only takes a few fixed values, which are then checked when parsing. */
  boolean isRole() {
    return kind == Kind.ROLE;
  }

  @Override
  public String toString() {
    return text;
  }
}
