package dev.orch.manager.control;

import dev.orch.manager.Actions;
import dev.orch.manager.Ids;
import dev.orch.manager.StoreWriter;
import dev.orch.manager.network.Networks;
import dev.orch.net.Cidr;
import dev.orch.net.Ipv4;
import dev.orch.proto.Meta;
import dev.orch.proto.Network;
import dev.orch.proto.NetworkSpec;
import dev.orch.store.StoreView;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Network calls of the Control API: create, inspect, list, remove. A network is stored with its
 * spec only; the leader's allocator gives it a subnet, a gateway and a VXLAN id.
 */
final class NetworkOperations {
  private final StoreWriter writer;
  private final ControlCommits commits;
  private final Ids ids;

  NetworkOperations(StoreWriter writer, ControlCommits commits, Ids ids) {
    this.writer = writer;
    this.commits = commits;
    this.ids = ids;
  }

  Network create(NetworkSpec requested) {
    NetworkSpec spec = validate(requested);
    writer.store().readLinearizable(v -> {
      v.networkByName(spec.getName()).ifPresent(n -> {
        throw Status.ALREADY_EXISTS.withDescription("network name \"" + spec.getName()
            + "\" is already in use by network " + n.getMeta().getId() + "; choose another name")
            .asRuntimeException();
      });
      if (!spec.getSubnet().isEmpty()) {
        checkNoOverlap(v, Cidr.parse(spec.getSubnet()));
      }
      return null;
    });
    Network network = Network.newBuilder()
        .setMeta(Meta.newBuilder().setId(ids.next()))
        .setSpec(spec)
        .build();
    return commits.commit(List.of(Actions.create(network))).getObjects(0).getNetwork();
  }

  Network get(String ref) {
    return writer.store().readLinearizable(v -> find(v, ref));
  }

  List<Network> list() {
    List<Network> all = writer.store().readLinearizable(v -> new ArrayList<>(v.networks()));
    all.sort(Comparator.comparing(n -> n.getSpec().getName()));
    return all;
  }

  /** Removes a network nothing uses; the allocator returns its subnet and VXLAN id to the pools. */
  String remove(String ref) {
    Network network = writer.store().readLinearizable(v -> {
      Network n = find(v, ref);
      if (n.getSpec().getIngress()) {
        throw Status.FAILED_PRECONDITION.withDescription("network " + n.getSpec().getName()
            + " carries the routing mesh of published ports and cannot be removed").asRuntimeException();
      }
      Optional<String> user = Networks.user(v, n.getMeta().getId());
      if (user.isPresent()) {
        throw Status.FAILED_PRECONDITION.withDescription("network " + n.getSpec().getName() + " is in use by "
            + user.get() + "; remove that service or take it off the network first "
            + "(orchctl service update --network-rm " + n.getSpec().getName() + " SERVICE)")
            .asRuntimeException();
      }
      return n;
    });
    commits.commit(List.of(Actions.delete(network)));
    return network.getMeta().getId();
  }

  /** Finds a network by id, name, or unique id prefix. */
  static Network find(StoreView v, String ref) {
    if (ref.isEmpty()) {
      throw ServiceSpecValidator.invalid("no network given: name a network by name or id");
    }
    Optional<Network> n = v.network(ref).or(() -> v.networkByName(ref));
    if (n.isPresent()) {
      return n.get();
    }
    List<Network> byPrefix = v.networks().stream().filter(x -> x.getMeta().getId().startsWith(ref)).toList();
    if (byPrefix.size() == 1) {
      return byPrefix.get(0);
    }
    if (byPrefix.size() > 1) {
      throw ServiceSpecValidator.invalid("network id prefix \"" + ref + "\" is ambiguous: give more characters");
    }
    throw Status.NOT_FOUND.withDescription("network \"" + ref + "\" not found; see orchctl network ls, "
        + "or create it: orchctl network create " + ref).asRuntimeException();
  }

  /** Checks a spec and fills in the driver; refusals name the field and the fix. */
  static NetworkSpec validate(NetworkSpec spec) {
    if (!ServiceSpecValidator.NAME.matcher(spec.getName()).matches()) {
      throw ServiceSpecValidator.invalid("invalid network name \"" + spec.getName()
          + "\": use 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
    if (spec.getIngress()) {
      throw ServiceSpecValidator.invalid("the ingress network is made when the cluster is initialised;"
          + " create an ordinary network instead");
    }
    String driver = spec.getDriver().isEmpty() ? Networks.OVERLAY : spec.getDriver();
    if (!driver.equals(Networks.OVERLAY) && !driver.equals(Networks.BRIDGE)) {
      throw ServiceSpecValidator.invalid("unknown network driver \"" + spec.getDriver()
          + "\": use overlay (across nodes) or bridge (one node)");
    }
    Cidr subnet = null;
    if (!spec.getSubnet().isEmpty()) {
      try {
        subnet = Cidr.parse(spec.getSubnet());
      } catch (IllegalArgumentException e) {
        throw ServiceSpecValidator.invalid("invalid --subnet: " + e.getMessage());
      }
      if (subnet.prefix() > 29 || subnet.prefix() < 8) {
        throw ServiceSpecValidator.invalid("invalid --subnet " + subnet + ": use a prefix between /8 and /29");
      }
    }
    if (!spec.getGateway().isEmpty()) {
      if (subnet == null) {
        throw ServiceSpecValidator.invalid("--gateway needs --subnet: give the subnet the gateway is in");
      }
      int gateway;
      try {
        gateway = Ipv4.parse(spec.getGateway());
      } catch (IllegalArgumentException e) {
        throw ServiceSpecValidator.invalid("invalid --gateway: " + e.getMessage());
      }
      if (!subnet.contains(gateway) || gateway == subnet.address() || subnet.indexOf(gateway) == subnet.size() - 1) {
        throw ServiceSpecValidator.invalid("invalid --gateway " + spec.getGateway() + ": not a host address of "
            + subnet + "; choose an address inside the subnet");
      }
    }
    return spec.toBuilder().setDriver(driver).build();
  }

  static void checkNoOverlap(StoreView v, Cidr subnet) {
    for (Network other : v.networks()) {
      String theirs = !other.getAllocated().getSubnet().isEmpty()
          ? other.getAllocated().getSubnet() : other.getSpec().getSubnet();
      if (!theirs.isEmpty() && Cidr.parse(theirs).overlaps(subnet)) {
        throw Status.ALREADY_EXISTS.withDescription("subnet " + subnet + " overlaps " + theirs + " of network "
            + other.getSpec().getName() + "; choose another --subnet").asRuntimeException();
      }
    }
  }
}
