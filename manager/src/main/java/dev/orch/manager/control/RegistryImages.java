package dev.orch.manager.control;

import dev.orch.agent.image.RegistryClient;
import dev.orch.agent.image.RegistryException;
import dev.orch.agent.image.RegistryReference;
import dev.orch.proto.Image;
import dev.orch.proto.RegistryAuth;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * Resolves image references against their registries at service create and update: the tag
 * becomes the digest of its linux/amd64 manifest, which the service pins so that every node runs
 * the same bytes. Registries marked insecure (orchd --insecure-registry) are spoken to in plain
 * HTTP, and that choice travels with the image to the nodes.
 */
final class RegistryImages {
  private final RegistryClient client = new RegistryClient(Duration.ofSeconds(30));
  private final Set<String> insecure;

  RegistryImages(Set<String> insecure) {
    this.insecure = Set.copyOf(insecure);
  }

  /** The parsed reference, or INVALID_ARGUMENT naming what is wrong with it. */
  static RegistryReference parse(String reference) {
    try {
      return RegistryReference.parse(reference);
    } catch (IllegalArgumentException e) {
      throw ServiceSpecValidator.invalid(e.getMessage() + "; use [registry/]name[:tag][@sha256:digest]");
    }
  }

  /**
   * The image {@code reference} names on its registry.
   *
   * @param auth credentials the client passed (--with-registry-auth), or null
   */
  Image resolve(String reference, RegistryAuth auth) {
    RegistryReference ref = parse(reference);
    RegistryClient.Credentials credentials = auth == null || auth.getUsername().isEmpty()
        ? null : new RegistryClient.Credentials(auth.getUsername(), auth.getPassword());
    try {
      return client.resolve(ref, insecure.contains(ref.registry()), credentials);
    } catch (RegistryException e) {
      throw status(e, ref);
    } catch (IOException e) {
      throw Status.FAILED_PRECONDITION.withDescription("pulling image " + reference + ": " + e.getMessage())
          .asRuntimeException();
    }
  }

  private static StatusRuntimeException status(RegistryException e, RegistryReference ref) {
    String hint = ref.registry().equals(RegistryReference.DOCKER_HUB) && e.kind() != RegistryException.Kind.UNAUTHORIZED
        ? "; images not in a registry can be imported: orchctl image import FILE.tar" : "";
    // Registry trouble is never the manager's own unavailability or the caller's certificate,
    // so neither UNAVAILABLE nor PERMISSION_DENIED.
    Status s = e.kind() == RegistryException.Kind.NOT_FOUND ? Status.NOT_FOUND : Status.FAILED_PRECONDITION;
    return s.withDescription(e.getMessage() + hint).asRuntimeException();
  }
}
