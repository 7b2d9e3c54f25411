package dev.orch.manager.control;

import dev.orch.proto.ClusterEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filters of {@code orchctl events}, as docker's: {@code KEY=VALUE} with keys type
 * (service, task, node), service (name or id), node (hostname or id) and event (create, update,
 * remove). Values of one key are alternatives; different keys must all hold.
 */
final class EventFilter {
  private static final Set<String> TYPES = Set.of("service", "task", "node");
  private static final Set<String> ACTIONS = Set.of("create", "update", "remove");

  private final Map<String, Set<String>> values;

  private EventFilter(Map<String, Set<String>> values) {
    this.values = values;
  }

  /** Parses the request's filters; an unknown key or value is refused with the valid ones. */
  static EventFilter parse(List<String> filters) {
    Map<String, Set<String>> values = new HashMap<>();
    for (String f : filters) {
      int eq = f.indexOf('=');
      String key = eq < 0 ? "" : f.substring(0, eq).strip();
      String value = eq < 0 ? "" : f.substring(eq + 1).strip();
      if (value.isEmpty()) {
        throw ServiceSpecValidator.invalid("invalid filter \"" + f + "\": use KEY=VALUE, e.g. type=service");
      }
      switch (key) {
        case "type" -> check(f, value, TYPES);
        case "event" -> check(f, value, ACTIONS);
        case "service", "node" -> { }
        default -> throw ServiceSpecValidator.invalid("invalid filter \"" + f
            + "\": the keys are type, service, node and event");
      }
      values.computeIfAbsent(key, k -> new HashSet<>()).add(value);
    }
    return new EventFilter(values);
  }

  private static void check(String filter, String value, Set<String> allowed) {
    if (!allowed.contains(value)) {
      throw ServiceSpecValidator.invalid("invalid filter \"" + filter + "\": use one of "
          + String.join(", ", allowed.stream().sorted().toList()));
    }
  }

  boolean matches(ClusterEvent e) {
    return holds("type", e.getType()) && holds("event", e.getAction())
        && (!values.containsKey("service") || names(e, "service"))
        && (!values.containsKey("node") || names(e, "node"));
  }

  private boolean holds(String key, String actual) {
    Set<String> allowed = values.get(key);
    return allowed == null || allowed.contains(actual);
  }

  /** Whether the event names the service (or node) by id or name, as the object or as its owner. */
  private boolean names(ClusterEvent e, String kind) {
    Set<String> wanted = values.get(kind);
    if (e.getType().equals(kind)) {
      return wanted.contains(e.getId()) || wanted.contains(e.getAttributesOrDefault("name", ""));
    }
    return wanted.contains(e.getAttributesOrDefault(kind, "")) || wanted.contains(e.getAttributesOrDefault(kind + ".id", ""));
  }
}
