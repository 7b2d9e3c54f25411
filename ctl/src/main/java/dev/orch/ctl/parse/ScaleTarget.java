package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import java.util.List;

/** One {@code SERVICE=REPLICAS} argument of {@code orchctl service scale}. */
public record ScaleTarget(String service, long replicas) {

    /** Parses one argument; the service part is an id, id prefix or name, resolved by the manager. */
    public static ScaleTarget parse(String argument) {
        int equals = argument.lastIndexOf('=');
        if (equals <= 0) {
            throw new UsageException("invalid scale argument \"" + argument
                    + "\": use SERVICE=REPLICAS (e.g. web=5)");
        }
        long replicas = ReplicaCount.parseOrNegative(argument.substring(equals + 1));
        if (replicas < 0) {
            throw new UsageException("invalid scale argument \"" + argument + "\": the replica count "
                    + ReplicaCount.RULE + " (e.g. web=5)");
        }
        return new ScaleTarget(argument.substring(0, equals), replicas);
    }

    /** Parses every argument before any is applied, so a typo in the last one changes nothing. */
    public static List<ScaleTarget> parseAll(List<String> arguments) {
        return arguments.stream().map(ScaleTarget::parse).toList();
    }
}
