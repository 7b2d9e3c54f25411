package dev.orch.agent.tls;

/**
 * The roles a node certificate can carry, in its subject's OU. The CA writes the role it was asked
 * for, never the one a request claims, so a service can authorize a call from the certificate alone.
 */
public final class Roles {
  /** A manager: serves the Control and Dispatcher APIs and is a Raft member. */
  public static final String MANAGER = "orch-manager";
  /** A worker: may only talk to the dispatcher; never the Control API. */
  public static final String WORKER = "orch-worker";
  /** An operator's client (orchctl): may call the Control API but is not a node. */
  public static final String ADMIN = "orch-admin";

  private Roles() {}

  /** Whether {@code role} is one of the roles above. */
  public static boolean isKnown(String role) {
    return MANAGER.equals(role) || WORKER.equals(role) || ADMIN.equals(role);
  }
}
