package dev.orch.manager.control;

import dev.orch.manager.Actions;
import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.control.DataKind.DataObject;
import dev.orch.manager.orchestrator.ServiceDefaults;
import dev.orch.proto.ActionType;
import dev.orch.proto.DataSpec;
import dev.orch.proto.DeployStackRequest;
import dev.orch.proto.DeployStackResponse;
import dev.orch.net.Cidr;
import dev.orch.proto.Meta;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkSpec;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StackChange;
import dev.orch.proto.StoreAction;
import dev.orch.proto.Task;
import dev.orch.proto.TaskState;
import dev.orch.store.StoreView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Deploys a whole stack as one store transaction. The plan is made from one linearizable read:
 * every object is validated and compared with what the stack has, and only then is one
 * transaction committed with every create, update and (with prune) removal. Updates carry the
 * versions read, so a concurrent change makes the whole deploy fail rather than half-apply.
 * Objects equal to what is stored are left alone, so re-deploying an unchanged file writes
 * nothing and restarts no task.
 */
final class StackDeployer {
  /** The label docker puts on a stack's objects; orchctl's stack commands find them by it. */
  static final String NAMESPACE_LABEL = "com.docker.stack.namespace";

  private final StoreWriter writer;
  private final ControlCommits commits;
  private final Ids ids;
  private final Clock clock;
  /** An image reference to the manifest digest it names now (importing nothing, pulling if needed). */
  private final Function<String, String> imageDigest;

  StackDeployer(StoreWriter writer, ControlCommits commits, Ids ids, Clock clock,
      Function<String, String> imageDigest) {
    this.imageDigest = imageDigest;
    this.writer = writer;
    this.commits = commits;
    this.ids = ids;
    this.clock = clock;
  }

  DeployStackResponse deploy(DeployStackRequest req) {
    String stack = req.getName();
    checkStackName(stack);
    // Images are resolved first (a registry tag may need a look-up); the stack itself is then
    // planned and written against one read.
    Map<String, String> digests = new HashMap<>();
    for (ServiceSpec s : req.getServicesList()) {
      String image = s.getContainer().getImage();
      try {
        digests.computeIfAbsent(image, imageDigest);
      } catch (io.grpc.StatusRuntimeException e) {
        throw e.getStatus().withDescription("service " + s.getName() + ": " + e.getStatus().getDescription())
            .asRuntimeException();
      }
    }
    Plan plan = writer.store().readLinearizable(v -> plan(v, req, digests));
    return finish(plan, req.getDryRun());
  }

  DeployStackResponse remove(String stack) {
    checkStackName(stack);
    Plan plan = writer.store().readLinearizable(v -> {
      Plan p = new Plan(stack, Map.of());
      p.prune(v, Set.of(), Map.of());
      p.pruneNetworks(v, Set.of());
      if (p.changes.isEmpty()) {
        throw io.grpc.Status.NOT_FOUND.withDescription("stack \"" + stack + "\" not found; see orchctl stack ls")
            .asRuntimeException();
      }
      return p;
    });
    return finish(plan, false);
  }

  private DeployStackResponse finish(Plan plan, boolean dryRun) {
    DeployStackResponse.Builder r = DeployStackResponse.newBuilder().addAllChanges(plan.changes);
    if (!dryRun && !plan.actions.isEmpty()) {
      r.setIndex(commits.commit(plan.actions).getIndex());
    }
    return r.build();
  }

  private Plan plan(StoreView v, DeployStackRequest req, Map<String, String> digests) {
    String stack = req.getName();
    if (req.getServicesCount() == 0) {
      throw ServiceSpecValidator.invalid("stack " + stack + " has no services: a stack file needs at least one");
    }
    Plan p = new Plan(stack, digests);
    Map<DataKind, Map<String, String>> idsByName = new EnumMap<>(DataKind.class);
    for (DataKind kind : DataKind.values()) {
      Map<String, String> known = new HashMap<>();
      kind.all(v).forEach(o -> known.put(o.spec().getName(), o.meta().getId()));
      idsByName.put(kind, known);
      for (DataSpec spec : kind == DataKind.SECRET ? req.getSecretsList() : req.getConfigsList()) {
        p.data(v, kind, labelled(stack, spec), known);
      }
    }
    for (NetworkSpec spec : req.getNetworksList()) {
      p.network(v, spec);
    }
    Set<String> services = new HashSet<>();
    for (ServiceSpec spec : req.getServicesList()) {
      if (!services.add(spec.getName())) {
        throw ServiceSpecValidator.invalid("stack " + stack + " names service " + spec.getName() + " twice");
      }
      p.service(v, spec, kind -> idsByName.get(kind)::get);
    }
    if (req.getPrune()) {
      p.prune(v, services, p.keptData);
      p.pruneNetworks(v, services);
    }
    return p;
  }

  private static DataSpec labelled(String stack, DataSpec spec) {
    checkInStack(stack, "secret or config", spec.getName());
    DataSpec labelledSpec = spec.toBuilder().putLabels(NAMESPACE_LABEL, stack).build();
    return labelledSpec;
  }

  private static void checkStackName(String stack) {
    if (!ServiceSpecValidator.NAME.matcher(stack).matches() || stack.contains("_")) {
      throw ServiceSpecValidator.invalid("invalid stack name \"" + stack
          + "\": use letters, digits, '.' or '-', starting with a letter or digit (no '_')");
    }
  }

  private static void checkInStack(String stack, String noun, String name) {
    if (!name.startsWith(stack + "_") || name.length() == stack.length() + 1) {
      throw ServiceSpecValidator.invalid(noun + " name \"" + name + "\" is not in stack " + stack
          + ": a stack's objects are named " + stack + "_NAME");
    }
  }

  static boolean inStack(Map<String, String> labels, String stack) {
    return stack.equals(labels.get(NAMESPACE_LABEL));
  }

  /** The actions and the changes to report, built while reading one view. */
  private final class Plan {
    final String stack;
    final List<StoreAction> actions = new ArrayList<>();
    final List<StackChange> changes = new ArrayList<>();
    final Map<DataKind, Set<String>> keptData = new EnumMap<>(DataKind.class);
    /** Secrets, configs and networks the requested services use: never pruned. */
    final Set<String> referenced = new HashSet<>();
    /** The stack's networks of the request by name, new ones with the ids they will have. */
    final Map<String, Network> networks = new HashMap<>();

    final Map<String, String> digests;

    Plan(String stack, Map<String, String> digests) {
      this.stack = stack;
      this.digests = digests;
      for (DataKind kind : DataKind.values()) {
        keptData.put(kind, new HashSet<>());
      }
    }

    void change(String kind, String name, String action) {
      changes.add(StackChange.newBuilder().setKind(kind).setName(name).setAction(action).build());
    }

    /** Data is immutable: unchanged is kept, new is created, changed data is refused. */
    void data(StoreView v, DataKind kind, DataSpec spec, Map<String, String> known) {
      DataObjects.validate(kind, spec);
      String name = spec.getName();
      var existing = DataObjects.byName(kind, v, name);
      if (existing.isEmpty()) {
        if (keptData.get(kind).contains(name)) {
          throw ServiceSpecValidator.invalid("stack " + stack + " names " + kind.noun + " " + name + " twice");
        }
        DataObject created = DataObject.of(Meta.newBuilder().setId(ids.next()).build(), spec);
        actions.add(DataObjects.action(ActionType.CREATE, kind, created));
        known.put(name, created.meta().getId());
        keptData.get(kind).add(name);
        change(kind.noun, name, "create");
        return;
      }
      DataObject current = existing.get();
      if (!inStack(current.spec().getLabelsMap(), stack)) {
        throw io.grpc.Status.ALREADY_EXISTS.withDescription(kind.noun + " name \"" + name
            + "\" is already in use by a " + kind.noun + " that is not part of stack " + stack
            + "; remove it or rename the stack").asRuntimeException();
      }
      if (!current.spec().getData().equals(spec.getData())) {
        throw io.grpc.Status.FAILED_PRECONDITION.withDescription(kind.noun + " " + name
            + " has changed, and a " + kind.noun + "'s data cannot be changed: give the changed one a new name"
            + " in the stack file (e.g. " + name + "_v2) and point the services at it").asRuntimeException();
      }
      keptData.get(kind).add(name);
      if (current.spec().getLabelsMap().equals(spec.getLabelsMap())) {
        change(kind.noun, name, "unchanged");
      } else {
        DataObject updated = new DataObject(current.meta(), spec, current.digest(), current.size());
        actions.add(DataObjects.action(ActionType.UPDATE, kind, updated));
        change(kind.noun, name, "update");
      }
    }

    void service(StoreView v, ServiceSpec requested, Function<DataKind, Function<String, String>> lookup) {
      checkInStack(stack, "service", requested.getName());
      ServiceSpec spec = requested.toBuilder().putLabels(NAMESPACE_LABEL, stack).build();
      ServiceSpecValidator.validate(spec);
      String existingId = v.serviceByName(spec.getName()).map(x -> x.getMeta().getId()).orElse("");
      spec = ServiceDefaults.withDefaults(DataObjects.resolve(ServiceNetworking.resolve(v, spec, existingId,
          networks), lookup));
      for (DataKind kind : DataKind.values()) {
        kind.references(spec).forEach(r -> referenced.add(r.getId()));
      }
      spec.getNetworksList().forEach(n -> referenced.add(n.getTarget()));
      var existing = v.serviceByName(spec.getName());
      if (existing.isEmpty()) {
        Service created = Service.newBuilder().setMeta(Meta.newBuilder().setId(ids.next())).setSpec(spec)
            .setImageDigest(digests.get(spec.getContainer().getImage())).build();
        actions.add(Actions.create(created));
        change("service", spec.getName(), "create");
        return;
      }
      Service current = existing.get();
      if (!inStack(current.getSpec().getLabelsMap(), stack)) {
        throw io.grpc.Status.ALREADY_EXISTS.withDescription("service name \"" + spec.getName()
            + "\" is already in use by a service that is not part of stack " + stack
            + "; remove it or rename the stack").asRuntimeException();
      }
      if (current.getSpec().equals(spec)) {
        change("service", spec.getName(), "unchanged");
        return;
      }
      String digest = spec.getContainer().getImage().equals(current.getSpec().getContainer().getImage())
          ? current.getImageDigest() : digests.get(spec.getContainer().getImage());
      actions.add(Actions.update(ServiceUpdates.update(current, spec, digest, clock.millis())));
      change("service", spec.getName(), "update");
    }

    /**
     * A network is created when new and left alone when unchanged; a changed one is refused, as
     * its tasks' addresses depend on it (docker refuses too: the network must be re-created).
     */
    void network(StoreView v, NetworkSpec requested) {
      checkInStack(stack, "network", requested.getName());
      NetworkSpec spec = NetworkOperations.validate(requested.toBuilder().putLabels(NAMESPACE_LABEL, stack).build());
      String name = spec.getName();
      if (networks.containsKey(name)) {
        throw ServiceSpecValidator.invalid("stack " + stack + " names network " + name + " twice");
      }
      var existing = v.networkByName(name);
      if (existing.isEmpty()) {
        if (!spec.getSubnet().isEmpty()) {
          Cidr subnet = Cidr.parse(spec.getSubnet());
          NetworkOperations.checkNoOverlap(v, subnet);
          for (Network other : networks.values()) {
            if (!other.getSpec().getSubnet().isEmpty() && Cidr.parse(other.getSpec().getSubnet()).overlaps(subnet)) {
              throw ServiceSpecValidator.invalid("networks " + other.getSpec().getName() + " and " + name
                  + " of stack " + stack + " have overlapping subnets; give them distinct subnets");
            }
          }
        }
        Network created = Network.newBuilder().setMeta(Meta.newBuilder().setId(ids.next())).setSpec(spec).build();
        actions.add(Actions.create(created));
        networks.put(name, created);
        change("network", name, "create");
        return;
      }
      Network current = existing.get();
      if (!inStack(current.getSpec().getLabelsMap(), stack)) {
        throw io.grpc.Status.ALREADY_EXISTS.withDescription("network name \"" + name + "\" is already in use by a"
            + " network that is not part of stack " + stack + "; remove it, rename the stack, or mark the network"
            + " external in the stack file").asRuntimeException();
      }
      if (!current.getSpec().equals(spec)) {
        throw io.grpc.Status.FAILED_PRECONDITION.withDescription("network " + name + " has changed, and a network"
            + " cannot be changed in place: remove the stack (orchctl stack rm " + stack + ") and deploy it again,"
            + " or give the changed network a new name in the stack file").asRuntimeException();
      }
      networks.put(name, current);
      change("network", name, "unchanged");
    }

    /** Removes the stack's networks the request does not name; one another service still uses is refused. */
    void pruneNetworks(StoreView v, Set<String> services) {
      for (Network n : v.networks().stream().sorted(java.util.Comparator.comparing(x -> x.getSpec().getName()))
          .toList()) {
        if (!inStack(n.getSpec().getLabelsMap(), stack) || networks.containsKey(n.getSpec().getName())) {
          continue;
        }
        String id = n.getMeta().getId();
        if (referenced.contains(id)) {
          throw io.grpc.Status.FAILED_PRECONDITION.withDescription("network " + n.getSpec().getName()
              + " is in use by a service of this stack file; define it in the file's networks").asRuntimeException();
        }
        for (Service s : v.services()) {
          boolean ours = inStack(s.getSpec().getLabelsMap(), stack);
          if (!ours && s.getSpec().getNetworksList().stream().anyMatch(c -> c.getTarget().equals(id))) {
            throw io.grpc.Status.FAILED_PRECONDITION.withDescription("network " + n.getSpec().getName()
                + " is in use by service " + s.getSpec().getName() + ", which is not part of stack " + stack
                + "; take it off the network first (orchctl service update --network-rm "
                + n.getSpec().getName() + " " + s.getSpec().getName() + ")").asRuntimeException();
          }
        }
        actions.add(Actions.delete(n));
        change("network", n.getSpec().getName(), "remove");
      }
    }

    /** Removes the stack's objects not in {@code services} / {@code keep}; data still used elsewhere is refused. */
    void prune(StoreView v, Set<String> services, Map<DataKind, Set<String>> keep) {
      Set<String> removedServices = new HashSet<>();
      for (Service s : v.services().stream().sorted(java.util.Comparator.comparing(x -> x.getSpec().getName()))
          .toList()) {
        if (inStack(s.getSpec().getLabelsMap(), stack) && !services.contains(s.getSpec().getName())) {
          actions.add(Actions.delete(s));
          for (Task t : v.tasksByService(s.getMeta().getId())) {
            actions.add(Actions.update(t.toBuilder().setDesiredState(TaskState.REMOVE).build()));
          }
          removedServices.add(s.getMeta().getId());
          change("service", s.getSpec().getName(), "remove");
        }
      }
      for (DataKind kind : DataKind.values()) {
        for (DataObject o : kind.all(v).stream().sorted(java.util.Comparator.comparing(x -> x.spec().getName()))
            .toList()) {
          if (!inStack(o.spec().getLabelsMap(), stack)
              || keep.getOrDefault(kind, Set.of()).contains(o.spec().getName())) {
            continue;
          }
          List<String> users = DataObjects.users(kind, v, Set.of(o.meta().getId()),
              s -> !removedServices.contains(s.getMeta().getId()) && !services.contains(s.getSpec().getName()));
          if (referenced.contains(o.meta().getId())) {
            users = List.of("in this stack file");
          }
          if (!users.isEmpty()) {
            throw DataObjects.inUse(kind, o.spec().getName(), users);
          }
          actions.add(DataObjects.action(ActionType.DELETE, kind, o));
          change(kind.noun, o.spec().getName(), "remove");
        }
      }
    }
  }
}
