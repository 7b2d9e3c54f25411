package dev.orch.manager;

import dev.orch.proto.ActionType;
import dev.orch.proto.Image;
import dev.orch.proto.Network;
import dev.orch.proto.Node;
import dev.orch.proto.Service;
import dev.orch.proto.StoreAction;
import dev.orch.proto.StoredObject;
import dev.orch.proto.Task;

/** Builders for store actions, so call sites read as what they do. */
public final class Actions {
  private Actions() {}

  public static StoreAction create(Service s) {
    return of(ActionType.CREATE, StoredObject.newBuilder().setService(s).build());
  }

  public static StoreAction update(Service s) {
    return of(ActionType.UPDATE, StoredObject.newBuilder().setService(s).build());
  }

  public static StoreAction delete(Service s) {
    return of(ActionType.DELETE, StoredObject.newBuilder().setService(s).build());
  }

  public static StoreAction create(Task t) {
    return of(ActionType.CREATE, StoredObject.newBuilder().setTask(t).build());
  }

  public static StoreAction update(Task t) {
    return of(ActionType.UPDATE, StoredObject.newBuilder().setTask(t).build());
  }

  public static StoreAction delete(Task t) {
    return of(ActionType.DELETE, StoredObject.newBuilder().setTask(t).build());
  }

  public static StoreAction upsert(Node n) {
    return of(ActionType.UPSERT, StoredObject.newBuilder().setNode(n).build());
  }

  public static StoreAction update(Node n) {
    return of(ActionType.UPDATE, StoredObject.newBuilder().setNode(n).build());
  }

  public static StoreAction create(Network n) {
    return of(ActionType.CREATE, StoredObject.newBuilder().setNetwork(n).build());
  }

  public static StoreAction update(Network n) {
    return of(ActionType.UPDATE, StoredObject.newBuilder().setNetwork(n).build());
  }

  public static StoreAction delete(Network n) {
    return of(ActionType.DELETE, StoredObject.newBuilder().setNetwork(n).build());
  }

  public static StoreAction upsert(Image i) {
    return of(ActionType.UPSERT, StoredObject.newBuilder().setImage(i).build());
  }

  public static StoreAction update(dev.orch.proto.Cluster c) {
    return of(ActionType.UPDATE, StoredObject.newBuilder().setCluster(c).build());
  }

  private static StoreAction of(ActionType type, StoredObject o) {
    return StoreAction.newBuilder().setType(type).setObject(o).build();
  }
}
