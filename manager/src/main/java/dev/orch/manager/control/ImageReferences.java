package dev.orch.manager.control;

import java.util.regex.Pattern;

/**
 * Image references as docker writes them: {@code [registry/]repo[:tag][@sha256:digest]}. The
 * default registry's {@code docker.io/library/} prefix is dropped and a missing tag means {@code
 * latest}, so {@code busybox}, {@code busybox:latest} and {@code docker.io/library/busybox} name
 * the same image.
 */
public final class ImageReferences {
  private static final Pattern REFERENCE =
      Pattern.compile("^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
          + "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$");

  private ImageReferences() {}

  /** Whether {@code ref} is a well-formed reference. */
  public static boolean valid(String ref) {
    return REFERENCE.matcher(ref).matches();
  }

  /** The canonical {@code repo:tag} form, or the bare digest for digest-only references. */
  public static String normalize(String ref) {
    String r = ref;
    int at = r.indexOf('@');
    if (at >= 0) {
      r = r.substring(0, at);
    }
    for (String prefix : new String[] {"docker.io/library/", "index.docker.io/library/", "docker.io/"}) {
      if (r.startsWith(prefix)) {
        r = r.substring(prefix.length());
        break;
      }
    }
    int slash = r.lastIndexOf('/');
    if (r.indexOf(':', slash + 1) < 0) {
      r = r + ":latest";
    }
    return r;
  }

  /** The digest part of {@code ref}, or null. */
  public static String digest(String ref) {
    int at = ref.indexOf('@');
    return at >= 0 ? ref.substring(at + 1) : null;
  }
}
