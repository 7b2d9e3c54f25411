package dev.orch.manager.control;

import dev.orch.manager.security.DataKey;
import dev.orch.proto.Secret;
import io.grpc.Status;
import java.util.Optional;

/**
 * Where secret payloads are sealed and opened: sealed when a secret object is written into a store
 * command, opened when the manager reads it (to compare a stack's data, or to send it to a node
 * whose task uses it). The manager installs its data key at start; a manager that joined installs
 * it once its join hands it the key.
 */
public final class SecretSealing {
  private static volatile DataKey key;

  private SecretSealing() {}

  public static void install(DataKey k) {
    key = k;
  }

  public static Optional<DataKey> current() {
    return Optional.ofNullable(key);
  }

  private static DataKey required() {
    DataKey k = key;
    if (k == null) {
      throw Status.UNAVAILABLE.withDescription("this manager has no data key yet (it is still joining);"
          + " retry in a moment").asRuntimeException();
    }
    return k;
  }

  static com.google.protobuf.ByteString seal(String id, com.google.protobuf.ByteString data) {
    return data.isEmpty() || DataKey.sealed(data) ? data : required().seal(data, id);
  }

  static com.google.protobuf.ByteString open(String id, com.google.protobuf.ByteString data) {
    return DataKey.sealed(data) ? required().open(data, id) : data;
  }

  /** {@code s} with its payload in plaintext, for the node that needs it. */
  public static Secret opened(Secret s) {
    if (s == null) {
      return null;
    }
    return s.toBuilder().setSpec(s.getSpec().toBuilder().setData(open(s.getMeta().getId(), s.getSpec().getData())))
        .build();
  }
}
