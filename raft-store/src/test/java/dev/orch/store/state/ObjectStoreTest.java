package dev.orch.store.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.ActionType;
import dev.orch.proto.Cluster;
import dev.orch.proto.Image;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeDescription;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;
import dev.orch.proto.Transaction;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.WatchEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectStoreTest {
  private static final long T0 = 1_700_000_000_000L;

  private final ObjectStore store = new ObjectStore();
  private long nextIndex = 1;

  // ---- builders ----

  static Meta meta(String id, long version) {
    return Meta.newBuilder().setId(id).setVersion(version).build();
  }

  static StoredObject service(String id, String name, long version) {
    return StoredObjects.wrap(Service.newBuilder().setMeta(meta(id, version))
        .setSpec(ServiceSpec.newBuilder().setName(name).setReplicas(1)).build());
  }

  static StoredObject task(String id, String serviceId, String nodeId, long version) {
    return StoredObjects.wrap(Task.newBuilder().setMeta(meta(id, version))
        .setServiceId(serviceId).setServiceName("web").setSlot(1).setNodeId(nodeId).build());
  }

  static StoredObject image(String digest, String... references) {
    return StoredObjects.wrap(Image.newBuilder().setMeta(meta(digest, 0))
        .addAllReferences(Arrays.asList(references)).build());
  }

  static StoreAction action(ActionType type, StoredObject object) {
    return StoreAction.newBuilder().setType(type).setObject(object).build();
  }

  static Transaction tx(long at, StoreAction... actions) {
    return Transaction.newBuilder().setProposedAtMs(at).addAllActions(Arrays.asList(actions)).build();
  }

  private ObjectStore.Applied apply(StoreAction... actions) {
    return store.apply(tx(T0 + nextIndex, actions), nextIndex++);
  }

  private TransactionResult ok(StoreAction... actions) {
    TransactionResult result = apply(actions).result();
    assertTrue(result.getOk(), () -> "expected success, got: " + result.getError());
    return result;
  }

  private String refused(StoreAction... actions) {
    TransactionResult result = apply(actions).result();
    assertFalse(result.getOk(), "expected a refusal");
    assertEquals(0, result.getObjectsCount());
    return result.getError();
  }

  // ---- tests ----

  @Test
  void createStampsMetaFromIndexAndProposalTime() {
    TransactionResult result = ok(action(ActionType.CREATE, service("s1", "web", 0)));

    Service web = store.service("s1").orElseThrow();
    assertEquals(1, result.getIndex());
    assertEquals(1, web.getMeta().getVersion());
    assertEquals(T0 + 1, web.getMeta().getCreatedAtMs());
    assertEquals(T0 + 1, web.getMeta().getUpdatedAtMs());
    assertEquals(web, result.getObjects(0).getService());
    assertEquals(web, store.serviceByName("web").orElseThrow());
    assertEquals(1, store.index());
  }

  @Test
  void createRefusesAnExistingId() {
    ok(action(ActionType.CREATE, service("s1", "web", 0)));
    assertEquals("service web (s1) already exists", refused(action(ActionType.CREATE, service("s1", "api", 0))));
  }

  @Test
  void updateNeedsTheStoredVersionAndKeepsCreationTime() {
    ok(action(ActionType.CREATE, service("s1", "web", 0)));
    ok(action(ActionType.UPDATE, service("s1", "web", 1)));
    Service updated = store.service("s1").orElseThrow();
    assertEquals(2, updated.getMeta().getVersion());
    assertEquals(T0 + 1, updated.getMeta().getCreatedAtMs());
    assertEquals(T0 + 2, updated.getMeta().getUpdatedAtMs());

    String error = refused(action(ActionType.UPDATE, service("s1", "web", 1)));
    assertEquals("version conflict on service web (s1): have 2, got 1; re-read and retry", error);
    assertEquals(2, store.service("s1").orElseThrow().getMeta().getVersion());
  }

  @Test
  void updateOfAMissingObjectIsRefused() {
    assertEquals("cannot update service web (s9): it does not exist",
        refused(action(ActionType.UPDATE, service("s9", "web", 3))));
  }

  @Test
  void deleteChecksVersionUnlessZero() {
    ok(action(ActionType.CREATE, service("s1", "web", 0)), action(ActionType.CREATE, service("s2", "api", 0)));
    assertEquals("version conflict on service web (s1): have 1, got 7; re-read and retry",
        refused(action(ActionType.DELETE, service("s1", "", 7))));

    TransactionResult deleted = ok(action(ActionType.DELETE, service("s1", "", 1)),
        action(ActionType.DELETE, service("s2", "", 0)));
    assertEquals("web", deleted.getObjects(0).getService().getSpec().getName());
    assertTrue(store.services().isEmpty());
    assertTrue(store.serviceByName("web").isEmpty());
    assertEquals("cannot delete service (s1): it does not exist",
        refused(action(ActionType.DELETE, service("s1", "", 0))));
  }

  @Test
  void upsertCreatesOrReplacesWithoutAVersionCheck() {
    StoredObject node = StoredObjects.wrap(Node.newBuilder().setMeta(meta("n1", 0))
        .setDescription(NodeDescription.newBuilder().setHostname("host-1")).build());
    ok(action(ActionType.UPSERT, node));
    ok(action(ActionType.UPSERT, node));
    Node stored = store.node("n1").orElseThrow();
    assertEquals(2, stored.getMeta().getVersion());
    assertEquals(T0 + 1, stored.getMeta().getCreatedAtMs());
    assertEquals(T0 + 2, stored.getMeta().getUpdatedAtMs());
  }

  @Test
  void aRefusedActionUndoesTheEarlierOnesInItsTransaction() {
    ok(action(ActionType.CREATE, service("s1", "web", 0)), action(ActionType.CREATE, image("sha256:a", "busybox:latest")));

    ObjectStore.Applied applied = apply(
        action(ActionType.UPDATE, service("s1", "api", 1)),               // rename web -> api
        action(ActionType.CREATE, service("s2", "web", 0)),               // reuse the freed name
        action(ActionType.UPSERT, image("sha256:b", "busybox:latest")),   // steal the reference
        action(ActionType.CREATE, task("t1", "s1", "n1", 0)),
        action(ActionType.UPDATE, service("s1", "api", 1)));              // stale now: refused

    assertFalse(applied.result().getOk());
    assertTrue(applied.events().isEmpty());
    assertEquals(2, store.index(), "a refusal still consumes its log index");
    assertEquals("web", store.service("s1").orElseThrow().getSpec().getName());
    assertEquals("s1", store.serviceByName("web").orElseThrow().getMeta().getId());
    assertTrue(store.serviceByName("api").isEmpty());
    assertTrue(store.service("s2").isEmpty());
    assertEquals("sha256:a", store.imageByReference("busybox:latest").orElseThrow().getMeta().getId());
    assertEquals(List.of("busybox:latest"), store.image("sha256:a").orElseThrow().getReferencesList());
    assertTrue(store.image("sha256:b").isEmpty());
    assertTrue(store.tasksByService("s1").isEmpty());
    assertEquals(2, store.size());
  }

  @Test
  void serviceNamesAreUnique() {
    ok(action(ActionType.CREATE, service("s1", "web", 0)));
    assertEquals("service name \"web\" is already in use by service s1",
        refused(action(ActionType.CREATE, service("s2", "web", 0))));
    assertEquals("service name \"web\" is already in use by service s1",
        refused(action(ActionType.UPSERT, service("s2", "web", 0))));

    ok(action(ActionType.UPDATE, service("s1", "api", 1)), action(ActionType.CREATE, service("s2", "web", 0)));
    assertEquals("s2", store.serviceByName("web").orElseThrow().getMeta().getId());
    assertEquals("s1", store.serviceByName("api").orElseThrow().getMeta().getId());
  }

  @Test
  void tasksAreIndexedByServiceAndNode() {
    ok(action(ActionType.CREATE, task("t2", "s1", "n1", 0)),
        action(ActionType.CREATE, task("t1", "s1", "", 0)),
        action(ActionType.CREATE, task("t3", "s2", "n1", 0)));
    assertEquals(List.of("t1", "t2"), ids(store.tasksByService("s1")));
    assertEquals(List.of("t2", "t3"), ids(store.tasksByNode("n1")));

    ok(action(ActionType.UPDATE, task("t1", "s1", "n2", 1)), action(ActionType.DELETE, task("t3", "s2", "", 0)));
    assertEquals(List.of("t1"), ids(store.tasksByNode("n2")));
    assertEquals(List.of("t2"), ids(store.tasksByNode("n1")));
    assertTrue(store.tasksByService("s2").isEmpty());
    assertEquals(2, store.tasks().size());
  }

  private static List<String> ids(List<Task> tasks) {
    return tasks.stream().map(t -> t.getMeta().getId()).toList();
  }

  @Test
  void anImageReferenceMovesToTheImageThatClaimsIt() {
    ok(action(ActionType.CREATE, image("sha256:old", "busybox:latest", "busybox:1.36")));

    ObjectStore.Applied applied = apply(action(ActionType.UPSERT, image("sha256:new", "busybox:latest")));

    assertTrue(applied.result().getOk());
    Image old = store.image("sha256:old").orElseThrow();
    assertEquals(List.of("busybox:1.36"), old.getReferencesList());
    assertEquals(2, old.getMeta().getVersion());
    assertEquals("sha256:new", store.imageByReference("busybox:latest").orElseThrow().getMeta().getId());
    assertEquals("sha256:old", store.imageByReference("busybox:1.36").orElseThrow().getMeta().getId());
    // objects: the action's image first, then the image rewritten as a side effect
    assertEquals("sha256:new", applied.result().getObjects(0).getImage().getMeta().getId());
    assertEquals(old, applied.result().getObjects(1).getImage());
    assertEquals(List.of(ActionType.UPDATE, ActionType.CREATE),
        applied.events().stream().map(WatchEvent::getType).toList());
  }

  @Test
  void thereIsOnlyOneClusterObject() {
    StoredObject first = StoredObjects.wrap(Cluster.newBuilder().setMeta(meta("c1", 0)).setName("orch").build());
    StoredObject second = StoredObjects.wrap(Cluster.newBuilder().setMeta(meta("c2", 0)).setName("other").build());
    ok(action(ActionType.CREATE, first));
    assertEquals("cannot write cluster (c2): the cluster object already exists as (c1)",
        refused(action(ActionType.UPSERT, second)));
    assertEquals("orch", store.cluster().orElseThrow().getName());
  }

  @Test
  void eventsFollowActionOrderWithTheCommitIndex() {
    ok(action(ActionType.CREATE, service("s1", "web", 0)));
    List<WatchEvent> events = apply(
        action(ActionType.UPSERT, service("s2", "api", 0)),
        action(ActionType.UPDATE, service("s1", "web", 1)),
        action(ActionType.DELETE, service("s2", "", 0))).events();
    assertEquals(List.of(ActionType.CREATE, ActionType.UPDATE, ActionType.DELETE),
        events.stream().map(WatchEvent::getType).toList());
    assertTrue(events.stream().allMatch(e -> e.getIndex() == 2));
  }

  @Test
  void validationNamesTheFirstProblem() {
    assertEquals("transaction has no actions", ObjectStore.validate(tx(T0)));
    assertEquals("transaction has no proposed_at_ms",
        ObjectStore.validate(tx(0, action(ActionType.CREATE, service("s1", "web", 0)))));
    assertEquals("action 0: missing or unknown action type 0",
        ObjectStore.validate(tx(T0, action(ActionType.ACTION_UNSPECIFIED, service("s1", "web", 0)))));
    assertEquals("action 1: CREATE carries no object", ObjectStore.validate(tx(T0,
        action(ActionType.CREATE, service("s1", "web", 0)),
        StoreAction.newBuilder().setType(ActionType.CREATE).build())));
    assertEquals("action 0: service has no meta.id",
        ObjectStore.validate(tx(T0, action(ActionType.UPSERT, service("", "web", 0)))));
    assertEquals("action 0: service id \"a b\" contains whitespace or control characters",
        ObjectStore.validate(tx(T0, action(ActionType.UPSERT, service("a b", "web", 0)))));
    assertEquals("action 0: service (s1) has no spec.name",
        ObjectStore.validate(tx(T0, action(ActionType.CREATE, service("s1", " ", 0)))));
    assertEquals("action 0: image (sha256:a) lists reference x:1 twice",
        ObjectStore.validate(tx(T0, action(ActionType.CREATE, image("sha256:a", "x:1", "x:1")))));
    assertNull(ObjectStore.validate(tx(T0, action(ActionType.DELETE, service("s1", "", 0)))));
  }

  @Test
  void anInvalidTransactionInTheLogIsRefusedAtApply() {
    TransactionResult result = store.apply(tx(T0), 5).result();
    assertFalse(result.getOk());
    assertEquals("transaction has no actions", result.getError());
    assertEquals(5, store.index());
    assertThrows(IllegalArgumentException.class, () -> store.apply(tx(T0), 5));
  }

  @Test
  void snapshotRoundTripKeepsObjectsIndexesAndPosition() throws IOException {
    ok(action(ActionType.CREATE, service("s1", "web", 0)),
        action(ActionType.CREATE, task("t1", "s1", "n1", 0)),
        action(ActionType.CREATE, image("sha256:a", "busybox:latest")));
    store.advanceIndex(7);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.writeSnapshot(out, 3);
    ObjectStore.LoadedSnapshot loaded = ObjectStore.readSnapshot(new ByteArrayInputStream(out.toByteArray()));

    ObjectStore copy = loaded.store();
    assertEquals(3, loaded.term());
    assertEquals(7, copy.index());
    assertEquals(store.objects(), copy.objects());
    assertEquals("s1", copy.serviceByName("web").orElseThrow().getMeta().getId());
    assertEquals(List.of("t1"), ids(copy.tasksByNode("n1")));
    assertEquals("sha256:a", copy.imageByReference("busybox:latest").orElseThrow().getMeta().getId());
    assertTrue(ObjectStore.diff(store, copy).isEmpty());
  }

  @Test
  void aTruncatedSnapshotIsRejected() throws IOException {
    ok(action(ActionType.CREATE, service("s1", "web", 0)), action(ActionType.CREATE, service("s2", "api", 0)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.writeSnapshot(out, 1);
    byte[] whole = out.toByteArray();
    byte[] cut = Arrays.copyOf(whole, whole.length - 1);  // drop the end marker
    IOException e = assertThrows(IOException.class, () -> ObjectStore.readSnapshot(new ByteArrayInputStream(cut)));
    assertEquals("snapshot at index 1 is truncated after 2 objects", e.getMessage());
    assertThrows(IOException.class, () -> ObjectStore.readSnapshot(new ByteArrayInputStream(new byte[] {1, 2})));
  }

  @Test
  void diffDescribesHowToGetFromOneStateToAnother() {
    ObjectStore before = new ObjectStore();
    before.apply(tx(T0, action(ActionType.CREATE, service("s1", "web", 0)),
        action(ActionType.CREATE, service("s2", "api", 0))), 1);
    ObjectStore after = new ObjectStore();
    after.apply(tx(T0, action(ActionType.CREATE, service("s1", "web", 0)),
        action(ActionType.CREATE, service("s3", "db", 0))), 1);
    after.apply(tx(T0, action(ActionType.UPDATE, service("s1", "web2", 1))), 2);

    List<WatchEvent> events = ObjectStore.diff(before, after);
    assertEquals(List.of("UPDATE s1", "CREATE s3", "DELETE s2"), events.stream()
        .map(e -> e.getType() + " " + StoredObjects.id(e.getObject())).toList());
    assertTrue(events.stream().allMatch(e -> e.getIndex() == 2));
  }
}
