package dev.orch.store.state;

import dev.orch.proto.ActionType;
import dev.orch.proto.Image;
import dev.orch.proto.Meta;
import dev.orch.proto.ObjectKind;
import dev.orch.proto.StoredObject;
import dev.orch.proto.WatchEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One transaction being applied to an {@link ObjectStore}. Actions change the store in place, in
 * order, so a later action sees what an earlier one did (rename a service, then give its old name
 * to another). Every change is recorded with what it replaced so that a refusal part-way through
 * puts the store back exactly as it was: all or nothing.
 */
final class TransactionBatch {
  /** What a key held before this batch touched it; {@code previous} is null when it was absent. */
  private record Undo(ObjectKind kind, String id, StoredObject previous) {}

  private final ObjectStore store;
  private final long index;
  private final long now;
  private final List<Undo> undo = new ArrayList<>();
  private final List<StoredObject> written = new ArrayList<>();
  private final List<StoredObject> sideWritten = new ArrayList<>();
  private final List<WatchEvent> events = new ArrayList<>();

  TransactionBatch(ObjectStore store, long index, long proposedAtMs) {
    this.store = store;
    this.index = index;
    this.now = proposedAtMs;
  }

  /** The objects written by the actions, in action order, then those changed as side effects. */
  List<StoredObject> written() {
    List<StoredObject> all = new ArrayList<>(written);
    all.addAll(sideWritten);
    return all;
  }

  List<WatchEvent> events() {
    return List.copyOf(events);
  }

  /** Performs one action; returns why it was refused, or {@code null} when it was done. */
  String perform(ActionType type, StoredObject proposed) {
    StoredObject stored = store.get(StoredObjects.kind(proposed), StoredObjects.id(proposed));
    long version = StoredObjects.version(proposed);
    switch (type) {
      case CREATE:
        return stored != null ? StoredObjects.describe(stored) + " already exists" : write(proposed, null);
      case UPDATE:
        if (stored == null) {
          return "cannot update " + StoredObjects.describe(proposed) + ": it does not exist";
        }
        return version != StoredObjects.version(stored) ? conflict(stored, version) : write(proposed, stored);
      case UPSERT:
        return write(proposed, stored);
      case DELETE:
        if (stored == null) {
          return "cannot delete " + StoredObjects.describe(proposed) + ": it does not exist";
        }
        if (version != 0 && version != StoredObjects.version(stored)) {
          return conflict(stored, version);
        }
        delete(stored);
        return null;
      default:
        return "unknown action type " + type;
    }
  }

  private static String conflict(StoredObject stored, long proposedVersion) {
    return "version conflict on " + StoredObjects.describe(stored) + ": have " + StoredObjects.version(stored)
        + ", got " + proposedVersion + "; re-read and retry";
  }

  private String write(StoredObject proposed, StoredObject stored) {
    Meta meta = StoredObjects.meta(proposed).toBuilder()
        .setVersion(index)
        .setCreatedAtMs(stored == null ? now : StoredObjects.meta(stored).getCreatedAtMs())
        .setUpdatedAtMs(now)
        .build();
    StoredObject object = StoredObjects.withMeta(proposed, meta);
    String refusal = checkUniqueness(object);
    if (refusal != null) {
      return refusal;
    }
    if (object.hasImage()) {
      moveReferencesToImage(object.getImage());
    }
    record(object, false);
    return null;
  }

  /** Invariants that span objects: unique service, network, secret and config names, a single cluster object. */
  private String checkUniqueness(StoredObject object) {
    String id = StoredObjects.id(object);
    if (object.hasService()) {
      String name = object.getService().getSpec().getName();
      String owner = store.serviceIdByName(name);
      if (owner != null && !owner.equals(id)) {
        return "service name \"" + name + "\" is already in use by service " + owner;
      }
    } else if (object.hasNetwork()) {
      String name = object.getNetwork().getSpec().getName();
      String owner = store.networkIdByName(name);
      if (owner != null && !owner.equals(id)) {
        return "network name \"" + name + "\" is already in use by network " + owner;
      }
    } else if (object.hasSecret() || object.hasConfig()) {
      ObjectKind kind = StoredObjects.kind(object);
      String name = object.hasSecret() ? object.getSecret().getSpec().getName() : object.getConfig().getSpec().getName();
      String owner = store.otherIdNamed(kind, name, id);
      if (owner != null) {
        return StoredObjects.noun(kind) + " name \"" + name + "\" is already in use by " + StoredObjects.noun(kind) + " " + owner;
      }
    } else if (object.hasCluster()) {
      Optional<String> other = store.cluster().map(c -> c.getMeta().getId()).filter(o -> !o.equals(id));
      if (other.isPresent()) {
        return "cannot write cluster (" + id + "): the cluster object already exists as (" + other.get() + ")";
      }
    }
    return null;
  }

  /**
   * A reference names one image at a time, like a tag: an image that claims a reference another
   * image holds takes it over, and the other image is rewritten without it.
   */
  private void moveReferencesToImage(Image image) {
    String id = image.getMeta().getId();
    Map<String, Set<String>> takenFrom = new LinkedHashMap<>();
    for (String reference : image.getReferencesList()) {
      String holder = store.imageIdByReference(reference);
      if (holder != null && !holder.equals(id)) {
        takenFrom.computeIfAbsent(holder, h -> new LinkedHashSet<>()).add(reference);
      }
    }
    for (var entry : takenFrom.entrySet()) {
      Image holder = store.get(ObjectKind.KIND_IMAGE, entry.getKey()).getImage();
      List<String> kept = new ArrayList<>(holder.getReferencesList());
      kept.removeAll(entry.getValue());
      Image rewritten = holder.toBuilder()
          .clearReferences().addAllReferences(kept)
          .setMeta(holder.getMeta().toBuilder().setVersion(index).setUpdatedAtMs(now))
          .build();
      record(StoredObjects.wrap(rewritten), true);
    }
  }

  private void record(StoredObject object, boolean sideEffect) {
    StoredObject previous = store.put(object);
    undo.add(new Undo(StoredObjects.kind(object), StoredObjects.id(object), previous));
    (sideEffect ? sideWritten : written).add(object);
    events.add(ObjectStore.event(previous == null ? ActionType.CREATE : ActionType.UPDATE, object, index));
  }

  private void delete(StoredObject stored) {
    ObjectKind kind = StoredObjects.kind(stored);
    String id = StoredObjects.id(stored);
    store.remove(kind, id);
    undo.add(new Undo(kind, id, stored));
    written.add(stored);
    events.add(ObjectStore.event(ActionType.DELETE, stored, index));
  }

  /** Puts back everything this batch changed, newest change first. */
  void rollback() {
    for (int i = undo.size() - 1; i >= 0; i--) {
      Undo u = undo.get(i);
      if (u.previous() == null) {
        store.remove(u.kind(), u.id());
      } else {
        store.put(u.previous());
      }
    }
    undo.clear();
    written.clear();
    sideWritten.clear();
    events.clear();
  }
}
