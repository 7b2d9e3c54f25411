package dev.orch.manager.control;

import dev.orch.proto.Placement;
import dev.orch.proto.PlacementStrategy;
import dev.orch.proto.Resources;
import dev.orch.proto.ServiceSpec;
import dev.orch.scheduler.constraint.InvalidPlacementException;
import dev.orch.scheduler.constraint.PlacementRules;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.regex.Pattern;

/** Checks a service spec at the API edge; every refusal names the field and the fix. */
public final class ServiceSpecValidator {
  static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$");
  static final long MAX_REPLICAS = 100_000;
  static final long MIN_MEMORY = 6L << 20;
  private static final Pattern ENV = Pattern.compile("^[^=\\s][^=]*=.*$", Pattern.DOTALL);

  private ServiceSpecValidator() {}

  public static void validate(ServiceSpec spec) {
    RequestLimits.check(spec);
    if (!NAME.matcher(spec.getName()).matches()) {
      throw invalid("invalid service name \"" + spec.getName()
          + "\": use 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
    if (spec.getReplicas() > MAX_REPLICAS) {
      throw invalid("invalid replicas " + spec.getReplicas() + ": at most " + MAX_REPLICAS);
    }
    String image = spec.getContainer().getImage();
    if (image.isEmpty()) {
      throw invalid("no image given: name the image to run, e.g. busybox:latest");
    }
    if (!ImageReferences.valid(image)) {
      throw invalid("invalid image reference \"" + image + "\": use [registry/]name[:tag][@sha256:digest]");
    }
    for (String e : spec.getContainer().getEnvList()) {
      if (!ENV.matcher(e).matches()) {
        throw invalid("invalid environment entry \"" + e + "\": use KEY=VALUE");
      }
    }
    RuntimeSpecValidator.validate(spec.getContainer());
    MountSpecValidator.validate(spec.getContainer().getMountsList());
    checkResources("limit", spec.getLimits());
    checkResources("reservation", spec.getReservations());
    checkMode(spec);
    checkPlacement(spec.getPlacement());
  }

  /** Modes, update and rollback configs and the restart policy. */
  private static void checkMode(ServiceSpec spec) {
    LifecycleSpecValidator.validate(spec);
  }

  /** The scheduler's own parser decides, so whatever is accepted here is what it can enforce. */
  private static void checkPlacement(Placement placement) {
    try {
      PlacementRules.of(placement);
    } catch (InvalidPlacementException e) {
      throw invalid(e.getMessage());
    }
    if (placement.getStrategyValue() != PlacementStrategy.STRATEGY_SPREAD_VALUE
        && placement.getStrategyValue() != PlacementStrategy.STRATEGY_BINPACK_VALUE) {
      throw invalid("unknown placement strategy " + placement.getStrategyValue() + ": use spread or binpack");
    }
  }

  private static void checkResources(String what, Resources r) {
    if (r.getMemoryBytes() < 0 || r.getNanoCpus() < 0 || r.getPids() < 0) {
      throw invalid("negative " + what + ": memory, CPU and pids must be >= 0");
    }
    if (r.getMemoryBytes() != 0 && r.getMemoryBytes() < MIN_MEMORY) {
      throw invalid("memory " + what + " " + r.getMemoryBytes() + " bytes is too small: the minimum is 6MiB");
    }
  }

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }
}
