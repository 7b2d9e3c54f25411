package dev.orch.manager.security;

import io.grpc.Context;

/**
 * The verified identity of the caller, from its client certificate: node id (CN), role (OU) and
 * cluster id (O). Set by {@link AuthorizationInterceptor} for the duration of a call.
 */
public record PeerIdentity(String nodeId, String role, String clusterId) {
  static final Context.Key<PeerIdentity> KEY = Context.key("orch-peer");

  /** The caller of the current call, or null when it presented no certificate. */
  public static PeerIdentity current() {
    return KEY.get();
  }
}
