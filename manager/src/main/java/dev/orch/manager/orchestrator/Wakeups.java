package dev.orch.manager.orchestrator;

/** Asks a controller's queue to look at a key again at a time of the injected clock. */
@FunctionalInterface
public interface Wakeups {
  void at(String key, long epochMs);

  /** For tests and callers that never wait. */
  Wakeups NONE = (key, at) -> { };
}
