package dev.orch.manager.control;

import dev.orch.manager.Actions;
import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.Image;
import dev.orch.proto.ImageResponse;
import dev.orch.proto.ImportImageChunk;
import dev.orch.proto.ListImagesRequest;
import dev.orch.proto.ListImagesResponse;
import dev.orch.proto.ListNodesRequest;
import dev.orch.proto.ListNodesResponse;
import dev.orch.proto.ListServicesRequest;
import dev.orch.proto.ListServicesResponse;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.ListTasksResponse;
import dev.orch.proto.Meta;
import dev.orch.proto.RegistryAuth;
import dev.orch.proto.RemoveServiceRequest;
import dev.orch.proto.RemoveServiceResponse;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceResponse;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.proto.TransactionResult;
import dev.orch.proto.UpdateServiceRequest;
import dev.orch.store.StoreView;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** The Control API. Every refusal is one clear message naming the problem and the fix. */
public final class ControlService extends ControlGrpc.ControlImplBase {
  private final StoreWriter writer;
  private final Ids ids;
  private final Random random;
  private final ImageImporter importer;
  private final ControlCommits commits;
  private final NodeOperations nodes;
  private final ClusterOperations cluster;
  private final NetworkOperations networks;
  private final DataObjects data;
  private final StackDeployer stacks;
  /** Stamps update and rollback start times; the Control API has no injected clock yet. */
  private final java.time.Clock clock = java.time.Clock.systemUTC();
  private EventStream events;
  private BackupStreamer backups;
  private volatile RegistryImages registries = new RegistryImages(java.util.Set.of());

  /** Registries (host[:port]) spoken to in plain HTTP instead of HTTPS. */
  public void setInsecureRegistries(java.util.Set<String> hosts) {
    registries = new RegistryImages(hosts);
  }

  /** Who leads and who is reachable, as Raft sees it now; set by the manager wiring. */
  public interface RaftView {
    java.util.Optional<String> leaderId();

    java.util.Set<String> reachableMembers();
  }

  private volatile RaftView raftView;
  private volatile TaskRequests taskRequests;
  private volatile VolumeRequests volumeRequests;
  private volatile NodeImageRequests nodeImageRequests;
  private volatile LogRequests logRequests;

  private volatile LeaderRelay leaderRelay;

  /**
   * Exec and stats reach nodes through the dispatcher's request channels; set by the manager
   * wiring. On a manager that does not lead, they are relayed to the leader over {@code channels}
   * (this manager's connections to other managers, by address).
   */
  public void enableNodeRequests(dev.orch.manager.dispatcher.NodeRequestRouter router,
      java.util.function.Supplier<Optional<String>> leaderAddress,
      java.util.function.Function<String, io.grpc.Channel> channels) {
    this.leaderRelay = new LeaderRelay(writer.store()::isLeader, leaderAddress, channels);
    this.taskRequests = new TaskRequests(writer.store(), router, leaderAddress);
    this.volumeRequests = new VolumeRequests(writer.store(), router, leaderAddress);
    this.nodeImageRequests = new NodeImageRequests(writer.store(), router, leaderAddress);
    this.logRequests = new LogRequests(writer.store(), router, leaderAddress);
  }

  @Override
  public void logs(dev.orch.proto.LogsRequest req, StreamObserver<dev.orch.proto.LogLine> out) {
    Optional<String> leader = relayTarget();
    if (leader.isPresent()) {
      leaderRelay.logs(leader.get(), req, out);
      return;
    }
    LogRequests l = logRequests;
    if (l == null) {
      throw Status.UNIMPLEMENTED.withDescription("this manager does not serve logs").asRuntimeException();
    }
    l.stream(req, out);
  }

  @Override
  public void volumes(dev.orch.proto.VolumesRequest req, StreamObserver<dev.orch.proto.VolumeResponse> out) {
    VolumeRequests v = volumeRequests;
    if (v == null) {
      throw Status.UNIMPLEMENTED.withDescription("this manager does not serve volume requests").asRuntimeException();
    }
    Optional<String> leader = relayTarget();
    out.onNext(leader.isPresent() ? leaderRelay.volumes(leader.get(), req) : v.handle(req));
    out.onCompleted();
  }

  @Override
  public void nodeImages(dev.orch.proto.NodeImagesRequest req, StreamObserver<dev.orch.proto.NodeImageResponse> out) {
    NodeImageRequests n = nodeImageRequests;
    if (n == null) {
      throw Status.UNIMPLEMENTED.withDescription("this manager does not serve node image requests").asRuntimeException();
    }
    Optional<String> leader = relayTarget();
    out.onNext(leader.isPresent() ? leaderRelay.nodeImages(leader.get(), req) : n.handle(req));
    out.onCompleted();
  }

  /** The leader to relay a node-request call to, or empty to answer it here. */
  private Optional<String> relayTarget() {
    LeaderRelay relay = leaderRelay;
    return relay == null ? Optional.empty() : relay.target();
  }

  private TaskRequests taskRequests() {
    TaskRequests t = taskRequests;
    if (t == null) {
      throw Status.UNIMPLEMENTED.withDescription("this manager does not serve exec and stats").asRuntimeException();
    }
    return t;
  }

  @Override
  public StreamObserver<dev.orch.proto.ExecInput> exec(StreamObserver<dev.orch.proto.ExecOutput> out) {
    Optional<String> leader = relayTarget();
    if (leader.isPresent()) {
      return leaderRelay.exec(leader.get(), out);
    }
    return taskRequests().exec(out);
  }

  @Override
  public void stats(dev.orch.proto.StatsRequest req, StreamObserver<dev.orch.proto.StatsResponse> out) {
    Optional<String> leader = relayTarget();
    out.onNext(leader.isPresent() ? leaderRelay.stats(leader.get(), req) : taskRequests().stats(req));
    out.onCompleted();
  }

  public void enableRaftView(RaftView view) {
    this.raftView = view;
  }

  private dev.orch.proto.Node withManagerState(dev.orch.proto.Node n) {
    RaftView view = raftView;
    if (view == null || n.getSpec().getRole() != dev.orch.proto.NodeRole.MANAGER) {
      return n;
    }
    String id = n.getMeta().getId();
    boolean leader = view.leaderId().map(id::equals).orElse(false);
    // Only the leader hears from every member; elsewhere a manager whose node heartbeats counts as reachable.
    java.util.Set<String> heard = view.reachableMembers();
    boolean reachable = leader || (heard.isEmpty()
        ? n.getStatus().getState() == dev.orch.proto.NodeState.NODE_READY : heard.contains(id));
    return n.toBuilder().setManagerStatus(n.getManagerStatus().toBuilder()
        .setLeader(leader).setReachable(reachable)).build();
  }

  /** Lets node removal take managers out of the Raft group. */
  public void enableMemberRemoval(
      java.util.function.Function<String, java.util.concurrent.CompletableFuture<Void>> removeMember) {
    nodes.enableMemberRemoval(removeMember);
  }

  /** Enables the Backup call (the store and a spool dir are wired in after construction). */
  public void enableBackups(BackupStreamer.Source source, java.nio.file.Path spoolDir) {
    this.backups = new BackupStreamer(source, spoolDir);
  }

  @Override
  public void backup(dev.orch.proto.BackupRequest req, StreamObserver<dev.orch.proto.BackupChunk> out) {
    if (backups == null) {
      throw io.grpc.Status.UNIMPLEMENTED.withDescription("backups are not available on this manager").asRuntimeException();
    }
    backups.stream(out);
  }

  public ControlService(StoreWriter writer, Ids ids, Random random, ImageImporter importer, String localNodeId,
      java.util.function.Supplier<List<String>> managers) {
    this.writer = writer;
    this.ids = ids;
    this.random = random;
    this.importer = importer;
    this.commits = new ControlCommits(writer);
    this.nodes = new NodeOperations(writer, commits, localNodeId);
    this.cluster = new ClusterOperations(writer, commits, new Random(random.nextLong()), managers);
    this.data = new DataObjects(writer, commits, ids);
    this.stacks = new StackDeployer(writer, commits, ids, clock, ref -> resolveImage(ref, null).getMeta().getId());
    this.networks = new NetworkOperations(writer, commits, ids);
  }

  @Override
  public void createNetwork(dev.orch.proto.CreateNetworkRequest req, StreamObserver<dev.orch.proto.NetworkResponse> out) {
    out.onNext(dev.orch.proto.NetworkResponse.newBuilder().setNetwork(networks.create(req.getSpec())).build());
    out.onCompleted();
  }

  @Override
  public void getNetwork(dev.orch.proto.GetNetworkRequest req, StreamObserver<dev.orch.proto.NetworkResponse> out) {
    out.onNext(dev.orch.proto.NetworkResponse.newBuilder().setNetwork(networks.get(req.getNetwork())).build());
    out.onCompleted();
  }

  @Override
  public void listNetworks(dev.orch.proto.ListNetworksRequest req,
      StreamObserver<dev.orch.proto.ListNetworksResponse> out) {
    out.onNext(dev.orch.proto.ListNetworksResponse.newBuilder().addAllNetworks(networks.list()).build());
    out.onCompleted();
  }

  @Override
  public void removeNetwork(dev.orch.proto.RemoveNetworkRequest req,
      StreamObserver<dev.orch.proto.RemoveNetworkResponse> out) {
    out.onNext(dev.orch.proto.RemoveNetworkResponse.newBuilder().setId(networks.remove(req.getNetwork())).build());
    out.onCompleted();
  }

  @Override
  public void createSecret(dev.orch.proto.CreateDataRequest req, StreamObserver<dev.orch.proto.SecretResponse> out) {
    reply(out, secret(data.create(DataKind.SECRET, req.getSpec())));
  }

  @Override
  public void getSecret(dev.orch.proto.GetDataRequest req, StreamObserver<dev.orch.proto.SecretResponse> out) {
    reply(out, secret(data.get(DataKind.SECRET, req.getName())));
  }

  @Override
  public void listSecrets(dev.orch.proto.ListDataRequest req,
      StreamObserver<dev.orch.proto.ListSecretsResponse> out) {
    var r = dev.orch.proto.ListSecretsResponse.newBuilder();
    data.list(DataKind.SECRET).forEach(o -> r.addSecrets(DataKind.SECRET.wrap(o).getSecret()));
    reply(out, r.build());
  }

  @Override
  public void removeSecret(dev.orch.proto.RemoveDataRequest req,
      StreamObserver<dev.orch.proto.RemoveDataResponse> out) {
    reply(out, dev.orch.proto.RemoveDataResponse.newBuilder().setId(data.remove(DataKind.SECRET, req.getName())).build());
  }

  @Override
  public void createConfig(dev.orch.proto.CreateDataRequest req, StreamObserver<dev.orch.proto.ConfigResponse> out) {
    reply(out, config(data.create(DataKind.CONFIG, req.getSpec())));
  }

  @Override
  public void getConfig(dev.orch.proto.GetDataRequest req, StreamObserver<dev.orch.proto.ConfigResponse> out) {
    reply(out, config(data.get(DataKind.CONFIG, req.getName())));
  }

  @Override
  public void listConfigs(dev.orch.proto.ListDataRequest req,
      StreamObserver<dev.orch.proto.ListConfigsResponse> out) {
    var r = dev.orch.proto.ListConfigsResponse.newBuilder();
    data.list(DataKind.CONFIG).forEach(o -> r.addConfigs(DataKind.CONFIG.wrap(o).getConfig()));
    reply(out, r.build());
  }

  @Override
  public void removeConfig(dev.orch.proto.RemoveDataRequest req,
      StreamObserver<dev.orch.proto.RemoveDataResponse> out) {
    reply(out, dev.orch.proto.RemoveDataResponse.newBuilder().setId(data.remove(DataKind.CONFIG, req.getName())).build());
  }

  @Override
  public void deployStack(dev.orch.proto.DeployStackRequest req,
      StreamObserver<dev.orch.proto.DeployStackResponse> out) {
    reply(out, stacks.deploy(req));
  }

  @Override
  public void removeStack(dev.orch.proto.RemoveStackRequest req,
      StreamObserver<dev.orch.proto.DeployStackResponse> out) {
    reply(out, stacks.remove(req.getName()));
  }

  private static dev.orch.proto.SecretResponse secret(DataKind.DataObject o) {
    return dev.orch.proto.SecretResponse.newBuilder().setSecret(DataKind.SECRET.wrap(o).getSecret()).build();
  }

  private static dev.orch.proto.ConfigResponse config(DataKind.DataObject o) {
    return dev.orch.proto.ConfigResponse.newBuilder().setConfig(DataKind.CONFIG.wrap(o).getConfig()).build();
  }

  private static <T> void reply(StreamObserver<T> out, T message) {
    out.onNext(message);
    out.onCompleted();
  }

  @Override
  public void getNode(dev.orch.proto.GetNodeRequest req, StreamObserver<dev.orch.proto.NodeResponse> out) {
    out.onNext(dev.orch.proto.NodeResponse.newBuilder().setNode(withManagerState(nodes.get(req.getNode()))).build());
    out.onCompleted();
  }

  @Override
  public void updateNode(dev.orch.proto.UpdateNodeRequest req, StreamObserver<dev.orch.proto.NodeResponse> out) {
    var n = nodes.update(req.getNode(), req.getVersion(), req.getSpec());
    out.onNext(dev.orch.proto.NodeResponse.newBuilder().setNode(n).build());
    out.onCompleted();
  }

  @Override
  public void removeNode(dev.orch.proto.RemoveNodeRequest req, StreamObserver<dev.orch.proto.RemoveNodeResponse> out) {
    String id = nodes.remove(req.getNode(), req.getForce());
    out.onNext(dev.orch.proto.RemoveNodeResponse.newBuilder().setId(id).build());
    out.onCompleted();
  }

  @Override
  public void getJoinTokens(dev.orch.proto.GetJoinTokensRequest req,
      StreamObserver<dev.orch.proto.JoinTokensResponse> out) {
    out.onNext(cluster.joinTokens(req.getRotateWorker(), req.getRotateManager()));
    out.onCompleted();
  }

  @Override
  public void getCluster(dev.orch.proto.GetClusterRequest req, StreamObserver<dev.orch.proto.ClusterResponse> out) {
    out.onNext(dev.orch.proto.ClusterResponse.newBuilder().setCluster(cluster.get()).build());
    out.onCompleted();
  }

  @Override
  public void updateCluster(dev.orch.proto.UpdateClusterRequest req,
      StreamObserver<dev.orch.proto.ClusterResponse> out) {
    var c = cluster.update(req.getVersion(), req.getDispatcherHeartbeatMs(),
        req.hasTaskHistoryLimit() ? req.getTaskHistoryLimit() : -1);
    out.onNext(dev.orch.proto.ClusterResponse.newBuilder().setCluster(c).build());
    out.onCompleted();
  }

  @Override
  public void createService(CreateServiceRequest req, StreamObserver<ServiceResponse> out) {
    ServiceSpec spec = req.getSpec();
    if (spec.getName().isEmpty()) {
      spec = spec.toBuilder().setName(ServiceNames.random(random)).build();
    }
    ServiceSpecValidator.validate(spec);
    spec = withDataIds(spec);
    spec = dev.orch.manager.orchestrator.ServiceDefaults.withDefaults(spec);
    ServiceSpec unresolved = spec;
    spec = writer.store().readLinearizable(v -> ServiceNetworking.resolve(v, unresolved, ""));
    ServiceSpec named = spec;
    RegistryAuth auth = req.hasRegistryAuth() ? req.getRegistryAuth() : null;
    Image image = resolveImage(spec.getContainer().getImage(), auth);
    writer.store().readLinearizable(v -> v.serviceByName(named.getName())).ifPresent(s -> {
      throw nameTaken(named.getName(), s);
    });
    Service.Builder service = Service.newBuilder()
        .setMeta(Meta.newBuilder().setId(ids.next()))
        .setSpec(spec)
        .setImageDigest(image.getMeta().getId());
    if (auth != null) {
      service.setRegistryAuth(auth);
    }
    TransactionResult r = commit(List.of(Actions.create(service.build())));
    out.onNext(ServiceResponse.newBuilder().setService(withoutSecrets(r.getObjects(0).getService())).build());
    out.onCompleted();
  }

  @Override
  public void getService(GetServiceRequest req, StreamObserver<ServiceResponse> out) {
    Service s = writer.store().readLinearizable(v -> ServiceStatuses.withStatus(v, findService(v, req.getService())));
    out.onNext(ServiceResponse.newBuilder().setService(withoutSecrets(s)).build());
    out.onCompleted();
  }

  @Override
  public void listServices(ListServicesRequest req, StreamObserver<ListServicesResponse> out) {
    // With each service's task counts, so that service ls shows a global service's or a job's progress.
    List<Service> services = writer.store().readLinearizable(v -> new ArrayList<>(
        v.services().stream().map(s -> withoutSecrets(ServiceStatuses.withStatus(v, s))).toList()));
    Paging.Page<Service> page = Paging.page(services, s -> s.getSpec().getName(), req.getPageSize(), req.getPageToken());
    out.onNext(ListServicesResponse.newBuilder().addAllServices(page.items()).setNextPageToken(page.nextToken()).build());
    out.onCompleted();
  }

  @Override
  public void updateService(UpdateServiceRequest req, StreamObserver<ServiceResponse> out) {
    Service current = writer.store().readLinearizable(v -> findService(v, req.getService()));
    if (req.getRollback()) {
      rollbackService(current, req.getVersion(), out);
      return;
    }
    ServiceSpecValidator.validate(req.getSpec());
    ServiceSpec spec = withDataIds(writer.store().readLinearizable(
        v -> ServiceNetworking.resolve(v, req.getSpec(), current.getMeta().getId())));
    if (!spec.getName().equals(current.getSpec().getName())) {
      throw ServiceSpecValidator.invalid("renaming a service is not supported: remove it and create "
          + spec.getName() + " instead");
    }
    long version = req.getVersion() == 0 ? current.getMeta().getVersion() : req.getVersion();
    if (version != current.getMeta().getVersion()) {
      throw staleVersion(current, version);
    }
    // New credentials replace the service's; without --with-registry-auth it keeps the ones it has.
    RegistryAuth auth = req.hasRegistryAuth() ? req.getRegistryAuth()
        : current.hasRegistryAuth() ? current.getRegistryAuth() : null;
    String digest = spec.getContainer().getImage().equals(current.getSpec().getContainer().getImage())
        ? current.getImageDigest()
        : resolveImage(spec.getContainer().getImage(), auth).getMeta().getId();
    Service.Builder base = current.toBuilder().setMeta(current.getMeta().toBuilder().setVersion(version));
    if (req.hasRegistryAuth()) {
      base.setRegistryAuth(req.getRegistryAuth());
    }
    Service updated = ServiceUpdates.update(base.build(), spec, digest, clock.millis());
    TransactionResult r = commit(List.of(Actions.update(updated)));
    out.onNext(ServiceResponse.newBuilder().setService(withoutSecrets(r.getObjects(0).getService())).build());
    out.onCompleted();
  }

  /** Swaps the service back to its previous spec; the updater rolls it out. */
  private void rollbackService(Service current, long requestVersion, StreamObserver<ServiceResponse> out) {
    long version = requestVersion == 0 ? current.getMeta().getVersion() : requestVersion;
    if (version != current.getMeta().getVersion()) {
      throw staleVersion(current, version);
    }
    TransactionResult r = commit(List.of(Actions.update(ServiceUpdates.rollback(current, clock.millis()))));
    out.onNext(ServiceResponse.newBuilder().setService(withoutSecrets(r.getObjects(0).getService())).build());
    out.onCompleted();
  }

  @Override
  public void watchEvents(dev.orch.proto.WatchEventsRequest req, StreamObserver<dev.orch.proto.ClusterEvent> out) {
    EventStream stream;
    synchronized (this) {
      if (events == null) {
        events = new EventStream(writer.store(), clock);
      }
      stream = events;
    }
    stream.subscribe(req, out);
  }

  @Override
  public void removeService(RemoveServiceRequest req, StreamObserver<RemoveServiceResponse> out) {
    List<StoreAction> actions = writer.store().readLinearizable(v -> {
      Service s = findService(v, req.getService());
      List<StoreAction> a = new ArrayList<>();
      a.add(Actions.delete(s));
      for (Task t : v.tasksByService(s.getMeta().getId())) {
        a.add(Actions.update(t.toBuilder().setDesiredState(TaskState.REMOVE).build()));
      }
      return a;
    });
    commit(actions);
    String id = actions.get(0).getObject().getService().getMeta().getId();
    out.onNext(RemoveServiceResponse.newBuilder().setId(id).build());
    out.onCompleted();
  }

  @Override
  public void listTasks(ListTasksRequest req, StreamObserver<ListTasksResponse> out) {
    List<Task> tasks = writer.store().readLinearizable(v -> {
      List<Task> all;
      if (!req.getService().isEmpty()) {
        all = new ArrayList<>(v.tasksByService(findService(v, req.getService()).getMeta().getId()));
      } else if (!req.getNode().isEmpty()) {
        all = new ArrayList<>(v.tasksByNode(req.getNode()));
      } else {
        all = new ArrayList<>(v.tasks());
      }
      return all;
    });
    // By service, slot, newest first.
    Paging.Page<Task> page = Paging.page(tasks, t -> t.getServiceName() + '\u0000' + Paging.ordered(t.getSlot())
        + '\u0000' + Paging.ordered(Long.MAX_VALUE - t.getMeta().getCreatedAtMs()) + '\u0000' + t.getMeta().getId(),
        req.getPageSize(), req.getPageToken());
    out.onNext(ListTasksResponse.newBuilder().addAllTasks(page.items()).setNextPageToken(page.nextToken()).build());
    out.onCompleted();
  }

  @Override
  public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> out) {
    var nodes = new ArrayList<>(writer.store().readLinearizable(v -> v.nodes()).stream()
        .map(this::withManagerState).toList());
    Paging.Page<dev.orch.proto.Node> page = Paging.page(nodes,
        n -> n.getDescription().getHostname() + '\u0000' + n.getMeta().getId(), req.getPageSize(), req.getPageToken());
    out.onNext(ListNodesResponse.newBuilder().addAllNodes(page.items()).setNextPageToken(page.nextToken()).build());
    out.onCompleted();
  }

  @Override
  public void listImages(ListImagesRequest req, StreamObserver<ListImagesResponse> out) {
    var images = writer.store().readLinearizable(v -> new ArrayList<>(v.images()));
    images.sort(Comparator.comparing(i -> i.getReferencesCount() == 0 ? "" : i.getReferences(0)));
    out.onNext(ListImagesResponse.newBuilder().addAllImages(images).build());
    out.onCompleted();
  }

  @Override
  public StreamObserver<ImportImageChunk> importImage(StreamObserver<ImageResponse> out) {
    return importer.receive(out, this::recordImport);
  }

  /**
   * An imported image keeps the names its digest already had (as {@code docker load} of a second
   * tag of the same image keeps both), and each name it brings moves to it from any other image.
   */
  private Image recordImport(Image image) {
    String id = image.getMeta().getId();
    List<StoreAction> actions = writer.store().readLinearizable(v -> {
      Image.Builder merged = image.toBuilder();
      v.image(id).ifPresent(known -> known.getReferencesList().stream()
          .filter(r -> !image.getReferencesList().contains(r)).forEach(merged::addReferences));
      List<StoreAction> writes = new ArrayList<>();
      writes.add(Actions.upsert(merged.build()));
      for (String reference : image.getReferencesList()) {
        v.imageByReference(reference).filter(other -> !other.getMeta().getId().equals(id)).ifPresent(other ->
            writes.add(Actions.upsert(other.toBuilder().clearReferences().addAllReferences(
                other.getReferencesList().stream().filter(r -> !r.equals(reference)).toList()).build())));
      }
      return writes;
    });
    return commit(actions).getObjects(0).getImage();
  }

  private Image recordImage(Image image) {
    TransactionResult r = commit(List.of(Actions.upsert(image)));
    return r.getObjects(0).getImage();
  }

  private ServiceSpec withDataIds(ServiceSpec spec) {
    return writer.store().readLinearizable(v -> DataObjects.resolve(spec, DataObjects.lookupIn(v)));
  }

  /**
   * The image a service runs: an imported image of that name or digest, else what the reference
   * resolves to on its registry now (a tag may have moved since the last resolution), recorded so
   * that the nodes learn its config and where its layers are.
   */
  private Image resolveImage(String reference, RegistryAuth auth) {
    String digest = ImageReferences.digest(reference);
    Optional<Image> found = writer.store().readLinearizable(v -> digest != null
        ? v.image(digest)
        : v.imageByReference(ImageReferences.normalize(reference)));
    if (found.isPresent() && (digest != null || !found.get().hasSource())) {
      return found.get();
    }
    Image pulled = registries.resolve(reference, auth);
    Optional<Image> known = writer.store().readLinearizable(v -> v.image(pulled.getMeta().getId()));
    if (known.isPresent() && known.get().getReferencesList().containsAll(pulled.getReferencesList())) {
      return known.get();
    }
    Image.Builder merged = pulled.toBuilder();
    known.ifPresent(k -> k.getReferencesList().stream()
        .filter(r -> !pulled.getReferencesList().contains(r)).forEach(merged::addReferences));
    return recordImage(merged.build());
  }

  /** A service as the Control API shows it: registry credentials never leave the managers this way. */
  private static Service withoutSecrets(Service s) {
    return s.hasRegistryAuth() ? s.toBuilder().clearRegistryAuth().build() : s;
  }

  private TransactionResult commit(List<StoreAction> actions) {
    return commits.commit(actions);
  }

  /** Finds a service by id, name, or unique id prefix. */
  static Service findService(StoreView v, String ref) {
    if (ref.isEmpty()) {
      throw ServiceSpecValidator.invalid("no service given: name a service by name or id");
    }
    Optional<Service> s = v.service(ref).or(() -> v.serviceByName(ref));
    if (s.isPresent()) {
      return s.get();
    }
    List<Service> byPrefix = v.services().stream().filter(x -> x.getMeta().getId().startsWith(ref)).toList();
    if (byPrefix.size() == 1) {
      return byPrefix.get(0);
    }
    if (byPrefix.size() > 1) {
      throw ServiceSpecValidator.invalid("service id prefix \"" + ref + "\" is ambiguous: give more characters");
    }
    throw Status.NOT_FOUND.withDescription("service \"" + ref + "\" not found; see orchctl service ls")
        .asRuntimeException();
  }

  private static StatusRuntimeException nameTaken(String name, Service existing) {
    return Status.ALREADY_EXISTS
        .withDescription("service name \"" + name + "\" is already in use by service "
            + existing.getMeta().getId() + "; choose another --name or remove that service")
        .asRuntimeException();
  }

  private static StatusRuntimeException staleVersion(Service s, long version) {
    return Status.ABORTED
        .withDescription("service " + s.getSpec().getName() + " changed since it was read (version "
            + version + ", now " + s.getMeta().getVersion() + "); read it again and retry")
        .asRuntimeException();
  }
}
