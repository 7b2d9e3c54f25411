package dev.orch.agent.image;

import java.io.IOException;

/** A registry refused or failed a request; {@link #kind()} says how the caller should report it. */
public final class RegistryException extends IOException {

  /** What went wrong, for mapping to an API status. */
  public enum Kind {
    /** The tag, digest or repository does not exist. */
    NOT_FOUND,
    /** The registry wants credentials, or refused the ones given. */
    UNAUTHORIZED,
    /** The registry could not be reached or answered with a server error. */
    UNAVAILABLE,
    /** The registry sent something orch cannot use (an unsupported or malformed manifest). */
    INVALID
  }

  private final Kind kind;

  public RegistryException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public RegistryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
