package dev.orch.manager.control;

import dev.orch.proto.ContainerSpec;
import dev.orch.proto.ServiceSpec;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Size and shape limits checked at the API edge, before anything reaches the store: every object
 * is replicated to every manager and kept in memory, so one oversized request must not be able to
 * bloat the log, the snapshots or the watchers. Each refusal names the limit and the field.
 */
final class RequestLimits {
  /** The serialized spec; well under the 8 MiB message limit of the API, and of Raft entries. */
  static final int MAX_SPEC_BYTES = 256 << 10;
  static final int MAX_LABELS = 256;
  static final int MAX_LABEL_VALUE = 4 << 10;
  static final int MAX_ENV = 1_024;
  static final int MAX_ARGS = 1_024;
  static final int MAX_STRING = 32 << 10;
  /** As docker, any printable key; it must fit on a line of `inspect` and in a constraint. */
  private static final Pattern LABEL_KEY = Pattern.compile("^[^\\s=\\p{Cntrl}]{1,256}$");
  /** RFC 1123 host names: dot-separated labels of letters, digits and '-'. */
  private static final Pattern HOSTNAME = Pattern.compile(
      "^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$");

  private RequestLimits() {}

  static void check(ServiceSpec spec) {
    int bytes = spec.getSerializedSize();
    if (bytes > MAX_SPEC_BYTES) {
      throw ServiceSpecValidator.invalid("service spec is " + bytes + " bytes, more than the " + MAX_SPEC_BYTES
          + " allowed: move large data into the image, a config or a volume");
    }
    labels("service", spec.getLabelsMap());
    ContainerSpec c = spec.getContainer();
    list("environment", c.getEnvList(), MAX_ENV);
    list("command", c.getCommandList(), MAX_ARGS);
    if (!c.getHostname().isEmpty() && !HOSTNAME.matcher(c.getHostname()).matches()) {
      throw ServiceSpecValidator.invalid("invalid hostname \"" + c.getHostname()
          + "\": use letters, digits and '-' in dot-separated parts of at most 63 (253 in all)");
    }
    if (!c.getWorkdir().isEmpty() && !c.getWorkdir().startsWith("/")) {
      throw ServiceSpecValidator.invalid("invalid working directory \"" + c.getWorkdir()
          + "\": use an absolute path, e.g. /app");
    }
  }

  static void labels(String owner, Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      throw ServiceSpecValidator.invalid(labels.size() + " " + owner + " labels: at most " + MAX_LABELS);
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!LABEL_KEY.matcher(label.getKey()).matches()) {
        throw ServiceSpecValidator.invalid("invalid label key \"" + label.getKey() + "\": use 1-256 printable characters"
            + " without spaces or '=', e.g. com.example.team");
      }
      if (label.getValue().length() > MAX_LABEL_VALUE) {
        throw ServiceSpecValidator.invalid("label " + label.getKey() + " has a value of " + label.getValue().length()
            + " characters: at most " + MAX_LABEL_VALUE);
      }
    }
  }

  private static void list(String what, List<String> items, int max) {
    if (items.size() > max) {
      throw ServiceSpecValidator.invalid(items.size() + " " + what + " entries: at most " + max);
    }
    for (String item : items) {
      if (item.length() > MAX_STRING) {
        throw ServiceSpecValidator.invalid("an " + what + " entry of " + item.length() + " characters: at most "
            + MAX_STRING);
      }
      if (item.indexOf('\0') >= 0) {
        throw ServiceSpecValidator.invalid("an " + what + " entry contains a NUL character, which no process can"
            + " receive: remove it");
      }
    }
  }
}
