package dev.orch.store;

/** The store could not commit or read: no leader, no quorum, or this member is shutting down. */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
