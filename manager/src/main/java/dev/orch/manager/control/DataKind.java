package dev.orch.manager.control;

import com.google.protobuf.ByteString;
import dev.orch.proto.Config;
import dev.orch.proto.DataSpec;
import dev.orch.proto.FileReference;
import dev.orch.proto.Meta;
import dev.orch.proto.ObjectKind;
import dev.orch.proto.Secret;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoredObject;
import dev.orch.store.StoreView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * What differs between secrets and configs (the store kind, the default mount directory, where a
 * service lists them); everything else about them is the same and written once over this.
 */
enum DataKind {
  SECRET("secret", ObjectKind.KIND_SECRET, "/run/secrets/") {
    @Override
    Collection<DataObject> all(StoreView v) {
      // Opened here, so that what the manager works with is the plaintext and only store commands
      // carry the sealed form.
      return v.secrets().stream().map(s -> new DataObject(s.getMeta(), s.getSpec().toBuilder()
          .setData(SecretSealing.open(s.getMeta().getId(), s.getSpec().getData())).build(), s.getDataDigest(),
          s.getDataSize())).toList();
    }

    @Override
    StoredObject wrap(DataObject o) {
      DataSpec sealed = o.spec().toBuilder().setData(SecretSealing.seal(o.meta().getId(), o.spec().getData())).build();
      return StoredObject.newBuilder().setSecret(Secret.newBuilder().setMeta(o.meta()).setSpec(sealed)
          .setDataDigest(o.digest()).setDataSize(o.size())).build();
    }

    @Override
    List<FileReference> references(ServiceSpec spec) {
      return spec.getContainer().getSecretsList();
    }
  },
  CONFIG("config", ObjectKind.KIND_CONFIG, "/") {
    @Override
    Collection<DataObject> all(StoreView v) {
      return v.configs().stream().map(s -> new DataObject(s.getMeta(), s.getSpec(), s.getDataDigest(),
          s.getDataSize())).toList();
    }

    @Override
    StoredObject wrap(DataObject o) {
      return StoredObject.newBuilder().setConfig(Config.newBuilder().setMeta(o.meta()).setSpec(o.spec())
          .setDataDigest(o.digest()).setDataSize(o.size())).build();
    }

    @Override
    List<FileReference> references(ServiceSpec spec) {
      return spec.getContainer().getConfigsList();
    }
  };

  /** Docker's limit for both kinds: the data travels in Raft entries and assignment messages. */
  static final int MAX_DATA_BYTES = 500 * 1024;

  /** A secret or a config, whichever kind it is. */
  record DataObject(Meta meta, DataSpec spec, String digest, long size) {
    static DataObject of(Meta meta, DataSpec spec) {
      return new DataObject(meta, spec, DataKind.digest(spec.getData()), spec.getData().size());
    }

    /** Without the data: what every Control API answer carries. */
    DataObject stripped() {
      return new DataObject(meta, spec.toBuilder().clearData().build(), digest, size);
    }
  }

  final String noun;
  final ObjectKind kind;
  /** Where a reference without an absolute target is mounted. */
  final String defaultDir;

  DataKind(String noun, ObjectKind kind, String defaultDir) {
    this.noun = noun;
    this.kind = kind;
    this.defaultDir = defaultDir;
  }

  abstract Collection<DataObject> all(StoreView v);

  abstract StoredObject wrap(DataObject o);

  abstract List<FileReference> references(ServiceSpec spec);

  /** Unwraps either kind from a store result. */
  static DataObject unwrap(StoredObject o) {
    return o.hasSecret()
        ? new DataObject(o.getSecret().getMeta(), o.getSecret().getSpec(), o.getSecret().getDataDigest(),
            o.getSecret().getDataSize())
        : new DataObject(o.getConfig().getMeta(), o.getConfig().getSpec(), o.getConfig().getDataDigest(),
            o.getConfig().getDataSize());
  }

  static String digest(ByteString data) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
