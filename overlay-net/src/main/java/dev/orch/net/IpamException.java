package dev.orch.net;

/**
 * An allocation that cannot be made or undone: pool exhausted, a requested subnet overlapping one in
 * use, an address outside its subnet. The message names the problem and what to do about it.
 */
public final class IpamException extends Exception {
  private static final long serialVersionUID = 1L;

  public IpamException(String message) {
    super(message);
  }
}
