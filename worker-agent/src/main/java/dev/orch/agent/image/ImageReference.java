package dev.orch.agent.image;

/** Image names as orch stores and matches them: Docker Hub's implicit parts removed, a tag always present. */
public final class ImageReference {

  private ImageReference() {}

  /**
   * {@code docker.io/library/busybox} and {@code busybox} both become {@code busybox:latest};
   * {@code registry:5000/app} becomes {@code registry:5000/app:latest}; digests are kept.
   */
  public static String normalize(String reference) {
    String r = reference.trim();
    for (String prefix : new String[] {"docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"}) {
      if (r.startsWith(prefix)) {
        r = r.substring(prefix.length());
        break;
      }
    }
    int slash = r.lastIndexOf('/');
    boolean hasTag = r.indexOf(':', slash + 1) >= 0;
    if (!hasTag && !r.contains("@")) {
      r = r + ":latest";
    }
    return r;
  }
}
