package dev.orch.agent.runtime;

/** A container operation failed; the message says what and why. */
public final class ContainerException extends Exception {
  public ContainerException(String message) {
    super(message);
  }

  public ContainerException(String message, Throwable cause) {
    super(message, cause);
  }
}
