package dev.orch.store.state;

import dev.orch.proto.ActionType;
import dev.orch.proto.Cluster;
import dev.orch.proto.Image;
import dev.orch.proto.Network;
import dev.orch.proto.Node;
import dev.orch.proto.ObjectKind;
import dev.orch.proto.Service;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import dev.orch.store.StoreView;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The whole cluster state in memory: every object by kind and id, plus the secondary indexes the
 * manager reads by (service by name, tasks by service and by node, image by reference).
 *
 * <p>It changes only through {@link #apply}, which is deterministic: the same transactions at the
 * same indexes give the same state on every member, whether applied live or replayed after a
 * restart. It is not thread-safe; the Raft state machine serialises writers and guards readers.
 * Iteration orders are by id so that everything derived from the state (snapshots, results,
 * events) is reproducible too.
 */
public final class ObjectStore implements StoreView {

  /** What applying one transaction produced: the result for the proposer and the events for watchers. */
  public record Applied(TransactionResult result, List<WatchEvent> events) {}

  private final Map<ObjectKind, TreeMap<String, StoredObject>> tables = new EnumMap<>(ObjectKind.class);
  // The same objects by id in hash tables: the trees keep iteration in id order, these answer the
  // reads by id (every status report and every write's version check), which at a million tasks
  // cost a tree descent of twenty string comparisons each. About 40 bytes per object.
  private final Map<ObjectKind, HashMap<String, StoredObject>> byId = new EnumMap<>(ObjectKind.class);
  private final Map<String, String> serviceIdByName = new HashMap<>();
  // The task indexes hold the tasks themselves, by id: as cheap as a set of ids (a tree entry
  // each), and reading a service's or a node's tasks needs no lookup per task in the main table.
  private final Map<String, TreeMap<String, Task>> tasksByService = new HashMap<>();
  private final Map<String, TreeMap<String, Task>> tasksByNode = new HashMap<>();
  private final TreeMap<String, Task> unassignedTasks = new TreeMap<>();
  private final Map<String, String> imageIdByReference = new HashMap<>();
  private final Map<String, String> networkIdByName = new HashMap<>();
  private long index;

  public ObjectStore() {
    for (ObjectKind kind : ObjectKind.values()) {
      if (kind != ObjectKind.KIND_UNSPECIFIED && kind != ObjectKind.UNRECOGNIZED) {
        tables.put(kind, new TreeMap<>());
        byId.put(kind, new HashMap<>());
      }
    }
  }

  /**
   * Structural checks that need no state, run before a transaction is replicated. Returns the
   * problem, or {@code null} when the transaction may be proposed.
   */
  public static String validate(Transaction tx) {
    return TransactionValidator.validate(tx);
  }

  /**
   * Applies {@code tx}, committed at log {@code index}: all of its actions or none. A refusal
   * still consumes the index (the entry is in the log) but changes no object and emits no event.
   * In the result, {@code objects[i]} is what action {@code i} wrote (for a delete, the object as
   * it was); objects changed as a side effect (an image reference moved off another image)
   * follow after.
   */
  public Applied apply(Transaction tx, long index) {
    return applyAll(List.of(tx), index).get(0);
  }

  /**
   * Applies transactions committed together in one log entry at {@code index}, in order, each
   * all-or-nothing on its own: a refusal undoes only that transaction, and each sees the ones
   * before it. They share the index, so objects written by any of them get it as their version,
   * and a transaction that read a version before the entry is refused as stale if an earlier one
   * in the same entry changed that object.
   */
  public List<Applied> applyAll(List<Transaction> txs, long index) {
    if (index <= this.index) {
      throw new IllegalArgumentException("index " + index + " is not after applied index " + this.index);
    }
    this.index = index;
    List<Applied> applied = new ArrayList<>(txs.size());
    for (Transaction tx : txs) {
      applied.add(applyOne(tx, index));
    }
    return applied;
  }

  private Applied applyOne(Transaction tx, long index) {
    TransactionResult.Builder result = TransactionResult.newBuilder().setIndex(index);
    String invalid = validate(tx);
    if (invalid != null) {
      return new Applied(result.setOk(false).setError(invalid).build(), List.of());
    }
    TransactionBatch batch = new TransactionBatch(this, index, tx.getProposedAtMs());
    for (var action : tx.getActionsList()) {
      String refusal = batch.perform(action.getType(), action.getObject());
      if (refusal != null) {
        batch.rollback();
        return new Applied(result.setOk(false).setError(refusal).build(), List.of());
      }
    }
    if (!tx.getOmitObjects()) {
      result.addAllObjects(batch.written());
    }
    return new Applied(result.setOk(true).build(), batch.events());
  }

  /**
   * Moves the applied index past a log entry that is not a transaction (a configuration change,
   * a new leader's first entry), so {@link #index()} always names the last applied log entry.
   */
  public void advanceIndex(long newIndex) {
    if (newIndex > index) {
      index = newIndex;
    }
  }

  /** Every object, by kind then id. The list is a copy. */
  public List<StoredObject> objects() {
    List<StoredObject> all = new ArrayList<>(size());
    tables.values().forEach(table -> all.addAll(table.values()));
    return all;
  }

  public int size() {
    return tables.values().stream().mapToInt(Map::size).sum();
  }

  /** Writes the state, stamped with the log index it reflects and that entry's term. */
  public void writeSnapshot(OutputStream out, long term) throws IOException {
    SnapshotCodec.write(out, index, term, objects());
  }

  /** A state read back from a snapshot stream, with the term recorded in its header. */
  public record LoadedSnapshot(ObjectStore store, long term) {}

  /** Reads a snapshot written by {@link #writeSnapshot}; fails on a truncated or inconsistent stream. */
  public static LoadedSnapshot readSnapshot(InputStream in) throws IOException {
    ObjectStore store = new ObjectStore();
    SnapshotCodec.Header header = SnapshotCodec.read(in, object -> {
      if (StoredObjects.id(object).isEmpty()) {
        throw new IOException("snapshot holds a " + StoredObjects.noun(StoredObjects.kind(object)) + " without an id");
      }
      if (store.get(StoredObjects.kind(object), StoredObjects.id(object)) != null) {
        throw new IOException("snapshot lists " + StoredObjects.describe(object) + " twice");
      }
      store.put(object);
    });
    store.index = header.index();
    return new LoadedSnapshot(store, header.term());
  }

  /**
   * The events that turn {@code before} into {@code after}, stamped with {@code after}'s index:
   * used when a member replaces its whole state with a snapshot from the leader, so watchers still
   * hear about every object that changed.
   */
  public static List<WatchEvent> diff(ObjectStore before, ObjectStore after) {
    List<WatchEvent> events = new ArrayList<>();
    for (var entry : after.tables.entrySet()) {
      TreeMap<String, StoredObject> old = before.tables.get(entry.getKey());
      for (StoredObject object : entry.getValue().values()) {
        StoredObject was = old.get(StoredObjects.id(object));
        if (was == null) {
          events.add(event(ActionType.CREATE, object, after.index));
        } else if (!was.equals(object)) {
          events.add(event(ActionType.UPDATE, object, after.index));
        }
      }
      for (StoredObject was : old.values()) {
        if (!entry.getValue().containsKey(StoredObjects.id(was))) {
          events.add(event(ActionType.DELETE, was, after.index));
        }
      }
    }
    return events;
  }

  // ---- StoreView ----

  @Override
  public long index() {
    return index;
  }

  @Override
  public Optional<Node> node(String id) {
    return lookup(ObjectKind.KIND_NODE, id, StoredObject::getNode);
  }

  @Override
  public Collection<Node> nodes() {
    return all(ObjectKind.KIND_NODE, StoredObject::getNode);
  }

  @Override
  public Optional<Service> service(String id) {
    return lookup(ObjectKind.KIND_SERVICE, id, StoredObject::getService);
  }

  @Override
  public Optional<Service> serviceByName(String name) {
    String id = serviceIdByName.get(name);
    return id == null ? Optional.empty() : service(id);
  }

  @Override
  public Collection<Service> services() {
    return all(ObjectKind.KIND_SERVICE, StoredObject::getService);
  }

  @Override
  public Optional<Task> task(String id) {
    return lookup(ObjectKind.KIND_TASK, id, StoredObject::getTask);
  }

  @Override
  public Collection<Task> tasks() {
    return all(ObjectKind.KIND_TASK, StoredObject::getTask);
  }

  @Override
  public List<Task> tasksByService(String serviceId) {
    return tasksIn(tasksByService.get(serviceId));
  }

  @Override
  public List<Task> tasksByNode(String nodeId) {
    return tasksIn(tasksByNode.get(nodeId));
  }

  @Override
  public List<Task> unassignedTasks() {
    return tasksIn(unassignedTasks);
  }

  @Override
  public Optional<Image> image(String manifestDigest) {
    return lookup(ObjectKind.KIND_IMAGE, manifestDigest, StoredObject::getImage);
  }

  @Override
  public Optional<Image> imageByReference(String reference) {
    String id = imageIdByReference.get(reference);
    return id == null ? Optional.empty() : image(id);
  }

  @Override
  public Collection<Image> images() {
    return all(ObjectKind.KIND_IMAGE, StoredObject::getImage);
  }

  @Override
  public Optional<Network> network(String id) {
    return lookup(ObjectKind.KIND_NETWORK, id, StoredObject::getNetwork);
  }

  @Override
  public Optional<Network> networkByName(String name) {
    String id = networkIdByName.get(name);
    return id == null ? Optional.empty() : network(id);
  }

  @Override
  public Collection<Network> networks() {
    return all(ObjectKind.KIND_NETWORK, StoredObject::getNetwork);
  }

  @Override
  public Optional<Cluster> cluster() {
    TreeMap<String, StoredObject> clusters = tables.get(ObjectKind.KIND_CLUSTER);
    return clusters.isEmpty() ? Optional.empty() : Optional.of(clusters.firstEntry().getValue().getCluster());
  }

  @Override
  public Collection<dev.orch.proto.Secret> secrets() {
    return all(ObjectKind.KIND_SECRET, StoredObject::getSecret);
  }

  @Override
  public Optional<dev.orch.proto.Secret> secret(String id) {
    return lookup(ObjectKind.KIND_SECRET, id, StoredObject::getSecret);
  }

  @Override
  public Collection<dev.orch.proto.Config> configs() {
    return all(ObjectKind.KIND_CONFIG, StoredObject::getConfig);
  }

  @Override
  public Optional<dev.orch.proto.Config> config(String id) {
    return lookup(ObjectKind.KIND_CONFIG, id, StoredObject::getConfig);
  }

  /** The id of another object of {@code kind} named {@code name}; kinds whose names are unique. */
  String otherIdNamed(ObjectKind kind, String name, String id) {
    for (StoredObject o : tables.get(kind).values()) {
      String n = o.hasSecret() ? o.getSecret().getSpec().getName() : o.getConfig().getSpec().getName();
      if (n.equals(name) && !StoredObjects.id(o).equals(id)) {
        return StoredObjects.id(o);
      }
    }
    return null;
  }

  private <T> Optional<T> lookup(ObjectKind kind, String id, Function<StoredObject, T> unwrap) {
    StoredObject object = byId.get(kind).get(id);
    return object == null ? Optional.empty() : Optional.of(unwrap.apply(object));
  }

  /** Copies, so that a caller may keep the result after its read has ended. */
  private <T> List<T> all(ObjectKind kind, Function<StoredObject, T> unwrap) {
    return tables.get(kind).values().stream().map(unwrap).toList();
  }

  private static List<Task> tasksIn(TreeMap<String, Task> byId) {
    return byId == null ? List.of() : List.copyOf(byId.values());
  }

  // ---- primitives that keep the indexes in step with the tables ----

  StoredObject get(ObjectKind kind, String id) {
    return byId.get(kind).get(id);
  }

  /** Stores {@code object}, replacing any object of the same kind and id; returns the one replaced. */
  StoredObject put(StoredObject object) {
    ObjectKind kind = StoredObjects.kind(object);
    String id = StoredObjects.id(object);
    tables.get(kind).put(id, object);
    StoredObject previous = byId.get(kind).put(id, object);
    if (previous != null && replaceIndexedTask(previous, object)) {
      return previous;
    }
    if (previous != null) {
      unindex(previous);
    }
    index(object);
    return previous;
  }

  /**
   * Most writes are a task staying where it is (a status report, a new desired state): its index
   * entries stay and only the task they hold is replaced, one tree lookup per index instead of a
   * removal and an insertion. Returns false when the task moved and must be re-indexed.
   */
  private boolean replaceIndexedTask(StoredObject previous, StoredObject object) {
    if (!previous.hasTask() || !object.hasTask()) {
      return false;
    }
    Task was = previous.getTask();
    Task now = object.getTask();
    if (!was.getServiceId().equals(now.getServiceId()) || !was.getNodeId().equals(now.getNodeId())) {
      return false;
    }
    String id = now.getMeta().getId();
    replaceIn(tasksByService, now.getServiceId(), id, now);
    replaceIn(tasksByNode, now.getNodeId(), id, now);
    if (now.getNodeId().isEmpty()) {
      unassignedTasks.put(id, now);
    }
    return true;
  }

  private static void replaceIn(Map<String, TreeMap<String, Task>> index, String key, String id, Task task) {
    if (!key.isEmpty()) {
      index.get(key).put(id, task);
    }
  }

  StoredObject remove(ObjectKind kind, String id) {
    tables.get(kind).remove(id);
    StoredObject previous = byId.get(kind).remove(id);
    if (previous != null) {
      unindex(previous);
    }
    return previous;
  }

  String serviceIdByName(String name) {
    return serviceIdByName.get(name);
  }

  String imageIdByReference(String reference) {
    return imageIdByReference.get(reference);
  }

  String networkIdByName(String name) {
    return networkIdByName.get(name);
  }

  private void index(StoredObject object) {
    String id = StoredObjects.id(object);
    switch (object.getObjectCase()) {
      case SERVICE -> serviceIdByName.put(object.getService().getSpec().getName(), id);
      case TASK -> {
        Task task = object.getTask();
        addTo(tasksByService, task.getServiceId(), id, task);
        addTo(tasksByNode, task.getNodeId(), id, task);
        if (task.getNodeId().isEmpty()) {
          unassignedTasks.put(id, task);
        }
      }
      case IMAGE -> object.getImage().getReferencesList().forEach(ref -> imageIdByReference.put(ref, id));
      case NETWORK -> networkIdByName.put(object.getNetwork().getSpec().getName(), id);
      default -> { }
    }
  }

  private void unindex(StoredObject object) {
    String id = StoredObjects.id(object);
    switch (object.getObjectCase()) {
      case SERVICE -> serviceIdByName.remove(object.getService().getSpec().getName(), id);
      case TASK -> {
        removeFrom(tasksByService, object.getTask().getServiceId(), id);
        removeFrom(tasksByNode, object.getTask().getNodeId(), id);
        if (object.getTask().getNodeId().isEmpty()) {
          unassignedTasks.remove(id);
        }
      }
      case IMAGE -> object.getImage().getReferencesList().forEach(ref -> imageIdByReference.remove(ref, id));
      case NETWORK -> networkIdByName.remove(object.getNetwork().getSpec().getName(), id);
      default -> { }
    }
  }

  private static void addTo(Map<String, TreeMap<String, Task>> index, String key, String id, Task task) {
    if (!key.isEmpty()) {
      index.computeIfAbsent(key, k -> new TreeMap<>()).put(id, task);
    }
  }

  private static void removeFrom(Map<String, TreeMap<String, Task>> index, String key, String id) {
    TreeMap<String, Task> tasks = index.get(key);
    if (tasks != null && tasks.remove(id) != null && tasks.isEmpty()) {
      index.remove(key);
    }
  }

  static WatchEvent event(ActionType type, StoredObject object, long index) {
    return WatchEvent.newBuilder().setType(type).setObject(object).setIndex(index).build();
  }
}
