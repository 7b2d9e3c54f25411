package dev.orch.store;

import dev.orch.proto.Cluster;
import dev.orch.proto.Image;
import dev.orch.proto.Network;
import dev.orch.proto.Node;
import dev.orch.proto.Service;
import dev.orch.proto.Task;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A read-only view of committed state, valid only inside {@link Store#read}. */
public interface StoreView {
  /**
   * Raft index of the last applied log entry. Every object's {@code meta.version} is at most this;
   * entries that are not transactions (a new leader's first entry, configuration) advance it too.
   */
  long index();

  Optional<Node> node(String id);

  Collection<Node> nodes();

  Optional<Service> service(String id);

  Optional<Service> serviceByName(String name);

  Collection<Service> services();

  Optional<Task> task(String id);

  Collection<Task> tasks();

  List<Task> tasksByService(String serviceId);

  List<Task> tasksByNode(String nodeId);

  /**
   * Tasks that no node has yet (NEW and PENDING ones, and those that ended before being placed),
   * by id. Indexed, so that the allocator and the scheduler find their work without reading every
   * task of the cluster.
   */
  List<Task> unassignedTasks();

  Optional<Image> image(String manifestDigest);

  /** Finds an image by a normalized reference such as {@code busybox:latest}. */
  Optional<Image> imageByReference(String reference);

  Collection<Image> images();

  Optional<Network> network(String id);

  Optional<Network> networkByName(String name);

  Collection<Network> networks();

  Optional<Cluster> cluster();

  /** Secrets and configs, by id, with their data (the Control API strips it from answers). */
  Collection<dev.orch.proto.Secret> secrets();

  Optional<dev.orch.proto.Secret> secret(String id);

  Collection<dev.orch.proto.Config> configs();

  Optional<dev.orch.proto.Config> config(String id);
}
