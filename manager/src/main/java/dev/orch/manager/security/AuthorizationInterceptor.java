package dev.orch.manager.security;

import dev.orch.agent.tls.CertificateInfo;
import dev.orch.agent.tls.Roles;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authorizes every call by the role in the caller's certificate, which the TLS layer has already
 * verified against the cluster's root CA: the Control API takes managers and the admin client, the
 * Dispatcher takes nodes, the CA's join methods take anyone (the join token is checked inside).
 * A certificate of another cluster is refused even if it chains to a CA this manager trusts.
 */
public final class AuthorizationInterceptor implements ServerInterceptor {
  private static final Set<String> ANYONE = Set.of();
  private static final Map<String, Set<String>> BY_SERVICE = Map.of(
      "orch.v1.Control", Set.of(Roles.MANAGER, Roles.ADMIN),
      "orch.v1.Dispatcher", Set.of(Roles.MANAGER, Roles.WORKER));
  private static final Map<String, Set<String>> BY_METHOD = Map.of(
      "orch.v1.NodeCA/GetRootCACertificate", ANYONE,
      "orch.v1.NodeCA/IssueNodeCertificate", ANYONE,
      "orch.v1.NodeCA/RenewNodeCertificate", Set.of(Roles.MANAGER, Roles.WORKER),
      "orch.v1.NodeCA/JoinRaft", Set.of(Roles.MANAGER),
      // A shell in any container of the cluster: the operator's admin certificate, and managers,
      // which relay it to the leader (a manager's certificate has the whole Control API anyway:
      // it could run any container anywhere), never workers.
      "orch.v1.Control/Exec", Set.of(Roles.ADMIN, Roles.MANAGER));

  private final String clusterId;

  public AuthorizationInterceptor(String clusterId) {
    this.clusterId = clusterId;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Set<String> allowed = BY_METHOD.getOrDefault(method,
        BY_SERVICE.get(call.getMethodDescriptor().getServiceName()));
    PeerIdentity peer = peer(call);
    String refusal = refusal(method, allowed, peer);
    if (refusal != null) {
      call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(PeerIdentity.KEY, peer), call, headers, next);
  }

  private String refusal(String method, Set<String> allowed, PeerIdentity peer) {
    if (allowed == null) {
      return method + " is not a call this manager serves";
    }
    if (allowed == ANYONE) {
      return null;
    }
    if (peer == null) {
      return "no client certificate: " + method + " needs a certificate of this cluster"
          + " (orchctl uses the admin bundle in ~/.orch written by orchd init)";
    }
    if (!clusterId.equals(peer.clusterId())) {
      return "the client certificate belongs to another cluster (" + peer.clusterId() + ")";
    }
    if (!allowed.contains(peer.role())) {
      return "a certificate with role " + peer.role() + " may not call " + method
          + "; it needs one of " + String.join(", ", allowed.stream().sorted().toList());
    }
    return null;
  }

  private static PeerIdentity peer(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return null;
    }
    try {
      var certs = session.getPeerCertificates();
      if (certs.length == 0 || !(certs[0] instanceof X509Certificate leaf)) {
        return null;
      }
      CertificateInfo info = CertificateInfo.of(leaf);
      return new PeerIdentity(info.nodeId(), info.role(), info.clusterId());
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
