package dev.orch.manager.control;

import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.control.DataKind.DataObject;
import dev.orch.proto.ActionType;
import dev.orch.proto.DataSpec;
import dev.orch.proto.FileReference;
import dev.orch.proto.Meta;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.StoreAction;
import dev.orch.store.StoreView;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Secrets and configs through the Control API: create, find, list and remove, and the checks a
 * service's references to them must pass. Answers never carry the data.
 */
final class DataObjects {
  private final StoreWriter writer;
  private final ControlCommits commits;
  private final Ids ids;

  DataObjects(StoreWriter writer, ControlCommits commits, Ids ids) {
    this.writer = writer;
    this.commits = commits;
    this.ids = ids;
  }

  DataObject create(DataKind kind, DataSpec spec) {
    validate(kind, spec);
    writer.store().readLinearizable(v -> byName(kind, v, spec.getName())).ifPresent(existing -> {
      throw Status.ALREADY_EXISTS.withDescription(kind.noun + " name \"" + spec.getName()
          + "\" is already in use by " + kind.noun + " " + existing.meta().getId()
          + "; choose another name or remove that " + kind.noun).asRuntimeException();
    });
    DataObject object = DataObject.of(Meta.newBuilder().setId(ids.next()).build(), spec);
    var r = commits.commit(List.of(action(ActionType.CREATE, kind, object)));
    return DataKind.unwrap(r.getObjects(0)).stripped();
  }

  DataObject get(DataKind kind, String ref) {
    return writer.store().readLinearizable(v -> find(kind, v, ref)).stripped();
  }

  List<DataObject> list(DataKind kind) {
    List<DataObject> all = new ArrayList<>(writer.store().readLinearizable(v -> kind.all(v)).stream()
        .map(DataObject::stripped).toList());
    all.sort(Comparator.comparing(o -> o.spec().getName()));
    return all;
  }

  /** Removes one; refused while a service refers to it, as docker does. */
  String remove(DataKind kind, String ref) {
    DataObject object = writer.store().readLinearizable(v -> {
      DataObject found = find(kind, v, ref);
      List<String> users = users(kind, v, Set.of(found.meta().getId()), s -> true);
      if (!users.isEmpty()) {
        throw inUse(kind, found.spec().getName(), users);
      }
      return found;
    });
    commits.commit(List.of(action(ActionType.DELETE, kind, object)));
    return object.meta().getId();
  }

  static StoreAction action(ActionType type, DataKind kind, DataObject object) {
    return StoreAction.newBuilder().setType(type).setObject(kind.wrap(object)).build();
  }

  /** Names of the services (passing {@code which}) that refer to any of {@code ids}. */
  static List<String> users(DataKind kind, StoreView v, Set<String> ids, java.util.function.Predicate<Service> which) {
    return v.services().stream().filter(which)
        .filter(s -> kind.references(s.getSpec()).stream().anyMatch(r -> ids.contains(r.getId())))
        .map(s -> s.getSpec().getName()).sorted().toList();
  }

  static io.grpc.StatusRuntimeException inUse(DataKind kind, String name, List<String> services) {
    return Status.FAILED_PRECONDITION.withDescription(kind.noun + " " + name + " is in use by service"
        + (services.size() == 1 ? " " : "s ") + String.join(", ", services)
        + "; remove it from " + (services.size() == 1 ? "that service" : "those services") + " first")
        .asRuntimeException();
  }

  static void validate(DataKind kind, DataSpec spec) {
    if (!ServiceSpecValidator.NAME.matcher(spec.getName()).matches()) {
      throw ServiceSpecValidator.invalid("invalid " + kind.noun + " name \"" + spec.getName()
          + "\": use 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
    if (spec.getData().isEmpty()) {
      throw ServiceSpecValidator.invalid(kind.noun + " " + spec.getName() + " has no data: give a non-empty file");
    }
    if (kind == DataKind.SECRET && dev.orch.manager.security.DataKey.sealed(spec.getData())) {
      throw ServiceSpecValidator.invalid("secret " + spec.getName() + " starts like a sealed secret"
          + " (orch-sealed-1:); store it with another first line");
    }
    if (spec.getData().size() > DataKind.MAX_DATA_BYTES) {
      throw ServiceSpecValidator.invalid(kind.noun + " " + spec.getName() + " is " + spec.getData().size()
          + " bytes; the limit is " + DataKind.MAX_DATA_BYTES + " bytes (500 KiB): store large files in a volume");
    }
  }

  static Optional<DataObject> byName(DataKind kind, StoreView v, String name) {
    return kind.all(v).stream().filter(o -> o.spec().getName().equals(name)).findFirst();
  }

  /** By name, id or unique id prefix. */
  static DataObject find(DataKind kind, StoreView v, String ref) {
    if (ref.isEmpty()) {
      throw ServiceSpecValidator.invalid("no " + kind.noun + " given: name one by name or id");
    }
    var all = kind.all(v);
    Optional<DataObject> exact = all.stream()
        .filter(o -> o.meta().getId().equals(ref) || o.spec().getName().equals(ref)).findFirst();
    if (exact.isPresent()) {
      return exact.get();
    }
    List<DataObject> byPrefix = all.stream().filter(o -> o.meta().getId().startsWith(ref)).toList();
    if (byPrefix.size() == 1) {
      return byPrefix.get(0);
    }
    if (byPrefix.size() > 1) {
      throw ServiceSpecValidator.invalid(kind.noun + " id prefix \"" + ref + "\" is ambiguous: give more characters");
    }
    throw notFound(kind, ref);
  }

  static io.grpc.StatusRuntimeException notFound(DataKind kind, String name) {
    return Status.NOT_FOUND.withDescription(kind.noun + " \"" + name + "\" not found; create it first: orchctl "
        + kind.noun + " create " + name + " FILE").asRuntimeException();
  }

  /**
   * {@code spec} with its secret and config references resolved to ids (by {@code lookup}, name to
   * id or null), targets made absolute and modes defaulted to 0444. Refuses unknown names,
   * targets outside the container's tree and two files at one target.
   */
  static ServiceSpec resolve(ServiceSpec spec, Function<DataKind, Function<String, String>> lookup) {
    var container = spec.getContainer().toBuilder().clearSecrets().clearConfigs();
    Set<String> targets = new HashSet<>();
    for (DataKind kind : DataKind.values()) {
      for (FileReference ref : kind.references(spec)) {
        String id = lookup.apply(kind).apply(ref.getName());
        if (id == null) {
          throw notFound(kind, ref.getName());
        }
        FileReference resolved = resolveOne(kind, ref, id, spec.getName(), targets);
        if (kind == DataKind.SECRET) {
          container.addSecrets(resolved);
        } else {
          container.addConfigs(resolved);
        }
      }
    }
    return spec.toBuilder().setContainer(container).build();
  }

  private static FileReference resolveOne(DataKind kind, FileReference ref, String id, String service,
      Set<String> targets) {
    String target = ref.getTarget().isEmpty() ? ref.getName() : ref.getTarget();
    if (!target.startsWith("/")) {
      target = kind.defaultDir + target;
    }
    if (target.equals("/") || target.endsWith("/") || ("/" + target + "/").contains("/../")
        || target.indexOf('\0') >= 0) {
      throw ServiceSpecValidator.invalid("invalid " + kind.noun + " target \"" + ref.getTarget() + "\" for "
          + ref.getName() + ": give a file path such as " + kind.defaultDir + ref.getName());
    }
    if (!targets.add(target)) {
      throw ServiceSpecValidator.invalid("service " + service + " mounts two files at " + target
          + ": give each secret and config its own target");
    }
    if (ref.getMode() > 07777) {
      throw ServiceSpecValidator.invalid("invalid mode 0" + Integer.toOctalString(ref.getMode()) + " for "
          + kind.noun + " " + ref.getName() + ": give permission bits such as 0444 or 0400");
    }
    return ref.toBuilder().setId(id).setTarget(target).setMode(ref.getMode() == 0 ? 0444 : ref.getMode()).build();
  }

  /** A lookup over what the store holds now. */
  static Function<DataKind, Function<String, String>> lookupIn(StoreView v) {
    return kind -> name -> byName(kind, v, name).map(o -> o.meta().getId()).orElse(null);
  }
}
