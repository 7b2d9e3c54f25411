package dev.orch.scheduler.constraint;

/** A constraint or preference that cannot be understood; the message names it and a valid form. */
public final class InvalidPlacementException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidPlacementException(String message) {
    super(message);
  }
}
