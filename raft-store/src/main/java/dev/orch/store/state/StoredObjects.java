package dev.orch.store.state;

import dev.orch.proto.Cluster;
import dev.orch.proto.Image;
import dev.orch.proto.Meta;
import dev.orch.proto.Network;
import dev.orch.proto.Node;
import dev.orch.proto.ObjectKind;
import dev.orch.proto.Service;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;

/**
 * Uniform access to the {@code oneof} inside a {@link StoredObject}: its kind, its meta and a
 * human-readable name for error messages. Keeping the per-kind switch here means the store's
 * transaction logic is written once for all kinds.
 */
public final class StoredObjects {
  private StoredObjects() {}

  /** The kind of the wrapped object, {@code KIND_UNSPECIFIED} when nothing is set. */
  public static ObjectKind kind(StoredObject object) {
    return switch (object.getObjectCase()) {
      case NODE -> ObjectKind.KIND_NODE;
      case SERVICE -> ObjectKind.KIND_SERVICE;
      case TASK -> ObjectKind.KIND_TASK;
      case IMAGE -> ObjectKind.KIND_IMAGE;
      case CLUSTER -> ObjectKind.KIND_CLUSTER;
      case NETWORK -> ObjectKind.KIND_NETWORK;
      case SECRET -> ObjectKind.KIND_SECRET;
      case CONFIG -> ObjectKind.KIND_CONFIG;
      case OBJECT_NOT_SET -> ObjectKind.KIND_UNSPECIFIED;
    };
  }

  /** The wrapped object's meta; the default instance when nothing is set. */
  public static Meta meta(StoredObject object) {
    return switch (object.getObjectCase()) {
      case NODE -> object.getNode().getMeta();
      case SERVICE -> object.getService().getMeta();
      case TASK -> object.getTask().getMeta();
      case IMAGE -> object.getImage().getMeta();
      case CLUSTER -> object.getCluster().getMeta();
      case NETWORK -> object.getNetwork().getMeta();
      case SECRET -> object.getSecret().getMeta();
      case CONFIG -> object.getConfig().getMeta();
      case OBJECT_NOT_SET -> Meta.getDefaultInstance();
    };
  }

  public static String id(StoredObject object) {
    return meta(object).getId();
  }

  public static long version(StoredObject object) {
    return meta(object).getVersion();
  }

  /** A copy of {@code object} with its meta replaced. */
  public static StoredObject withMeta(StoredObject object, Meta meta) {
    return switch (object.getObjectCase()) {
      case NODE -> wrap(object.getNode().toBuilder().setMeta(meta).build());
      case SERVICE -> wrap(object.getService().toBuilder().setMeta(meta).build());
      case TASK -> wrap(object.getTask().toBuilder().setMeta(meta).build());
      case IMAGE -> wrap(object.getImage().toBuilder().setMeta(meta).build());
      case CLUSTER -> wrap(object.getCluster().toBuilder().setMeta(meta).build());
      case NETWORK -> wrap(object.getNetwork().toBuilder().setMeta(meta).build());
      case SECRET -> StoredObject.newBuilder().setSecret(object.getSecret().toBuilder().setMeta(meta)).build();
      case CONFIG -> StoredObject.newBuilder().setConfig(object.getConfig().toBuilder().setMeta(meta)).build();
      case OBJECT_NOT_SET -> throw new IllegalArgumentException("no object set");
    };
  }

  public static StoredObject wrap(Node node) {
    return StoredObject.newBuilder().setNode(node).build();
  }

  public static StoredObject wrap(Service service) {
    return StoredObject.newBuilder().setService(service).build();
  }

  public static StoredObject wrap(Task task) {
    return StoredObject.newBuilder().setTask(task).build();
  }

  public static StoredObject wrap(Image image) {
    return StoredObject.newBuilder().setImage(image).build();
  }

  public static StoredObject wrap(Cluster cluster) {
    return StoredObject.newBuilder().setCluster(cluster).build();
  }

  public static StoredObject wrap(Network network) {
    return StoredObject.newBuilder().setNetwork(network).build();
  }

  /** The lower-case noun used in messages: {@code service}, {@code task}, ... */
  public static String noun(ObjectKind kind) {
    return switch (kind) {
      case KIND_NODE -> "node";
      case KIND_SERVICE -> "service";
      case KIND_TASK -> "task";
      case KIND_IMAGE -> "image";
      case KIND_CLUSTER -> "cluster";
      case KIND_NETWORK -> "network";
      case KIND_SECRET -> "secret";
      case KIND_CONFIG -> "config";
      default -> "object";
    };
  }

  /**
   * Names an object for an error message the way a user would recognise it: {@code service web
   * (id)}, {@code task web.3 (id)}, {@code node host-1 (id)}; just {@code service (id)} when the
   * object carries no name.
   */
  public static String describe(StoredObject object) {
    String name = displayName(object);
    String noun = noun(kind(object));
    String id = id(object);
    return name.isBlank() ? noun + " (" + id + ")" : noun + " " + name + " (" + id + ")";
  }

  private static String displayName(StoredObject object) {
    return switch (object.getObjectCase()) {
      case NODE -> object.getNode().getDescription().getHostname();
      case SERVICE -> object.getService().getSpec().getName();
      case TASK -> {
        Task task = object.getTask();
        yield task.getServiceName().isEmpty() ? "" : task.getServiceName() + "." + task.getSlot();
      }
      case IMAGE -> object.getImage().getReferencesCount() == 0
          ? "" : object.getImage().getReferences(0);
      case CLUSTER -> object.getCluster().getName();
      case NETWORK -> object.getNetwork().getSpec().getName();
      case SECRET -> object.getSecret().getSpec().getName();
      case CONFIG -> object.getConfig().getSpec().getName();
      case OBJECT_NOT_SET -> "";
    };
  }
}
