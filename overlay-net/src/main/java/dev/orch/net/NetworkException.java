package dev.orch.net;

/** The kernel refused a change (the message carries the command and what the kernel said). */
public final class NetworkException extends Exception {
  private static final long serialVersionUID = 1L;

  public NetworkException(String message) {
    super(message);
  }

  public NetworkException(String message, Throwable cause) {
    super(message, cause);
  }
}
