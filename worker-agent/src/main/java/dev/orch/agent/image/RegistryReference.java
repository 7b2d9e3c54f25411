package dev.orch.agent.image;

import java.util.regex.Pattern;

/**
 * An image reference as docker reads it: {@code [registry/]repository[:tag][@sha256:digest]}.
 * Without a registry the image is on Docker Hub ({@code docker.io}, whose one-part repositories
 * live under {@code library/}); without a tag or digest the tag is {@code latest}.
 *
 * @param registry host[:port] as written, or {@code docker.io}
 * @param repository the repository on that registry, e.g. {@code library/busybox}
 * @param tag the tag, or null when the reference names only a digest
 * @param digest the manifest digest, or null
 */
public record RegistryReference(String registry, String repository, String tag, String digest) {

  public static final String DOCKER_HUB = "docker.io";
  /** Where Docker Hub's registry API actually answers. */
  static final String DOCKER_HUB_API = "registry-1.docker.io";

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern DOMAIN = Pattern.compile(
      "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
          + "(?::[0-9]{1,5})?");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

  /**
   * Parses {@code reference}.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static RegistryReference parse(String reference) {
    String r = reference == null ? "" : reference.trim();
    if (r.isEmpty()) {
      throw new IllegalArgumentException("empty image reference: give an image such as busybox or registry:5000/app:1");
    }
    String digest = null;
    int at = r.indexOf('@');
    if (at >= 0) {
      digest = r.substring(at + 1);
      r = r.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw bad(reference, "the digest after @ must be sha256: and 64 lowercase hex digits");
      }
    }
    String tag = null;
    int colon = r.lastIndexOf(':');
    if (colon > r.lastIndexOf('/')) {
      tag = r.substring(colon + 1);
      r = r.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw bad(reference, "a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'");
      }
    }
    String registry = DOCKER_HUB;
    int slash = r.indexOf('/');
    if (slash > 0) {
      String first = r.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost") || !first.equals(first.toLowerCase())) {
        registry = first;
        r = r.substring(slash + 1);
        if (!DOMAIN.matcher(registry).matches()) {
          throw bad(reference, "\"" + registry + "\" is not a registry host[:port]");
        }
      }
    }
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    for (String component : r.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw bad(reference, "repository names are lowercase letters and digits, separated by '/', '.', '_' or '-'");
      }
    }
    if (registry.equals(DOCKER_HUB) && !r.contains("/")) {
      r = "library/" + r;
    }
    if (r.length() > 255) {
      throw bad(reference, "the repository name is longer than 255 characters");
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new RegistryReference(registry, r, tag, digest);
  }

  private static IllegalArgumentException bad(String reference, String why) {
    return new IllegalArgumentException("invalid image reference \"" + reference + "\": " + why);
  }

  /** The host the registry API is served on. */
  public String apiHost() {
    return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
  }

  /** What the manifest is fetched by: the digest if there is one, else the tag. */
  String manifestReference() {
    return digest != null ? digest : tag;
  }

  /**
   * The short name docker shows and orch stores images under ({@code busybox:latest}, {@code
   * registry:5000/app:1}), or null for a reference by digest only.
   */
  public String familiarName() {
    if (tag == null) {
      return null;
    }
    String repo = repository;
    if (registry.equals(DOCKER_HUB)) {
      return (repo.startsWith("library/") ? repo.substring("library/".length()) : repo) + ":" + tag;
    }
    return registry + "/" + repo + ":" + tag;
  }

  @Override
  public String toString() {
    return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
