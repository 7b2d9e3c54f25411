package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Command lines that are wrong never reach the network: exit 2, one error line, nothing on stdout.
 * The host points at a port nothing listens on, so reaching the network would show as exit 1.
 */
class UsageErrorsTest {
    private static final Map<String, String> ENV = Map.of("ORCH_HOST", "127.0.0.1:1");

    private static void assertUsage(String expectedLine, String... args) {
        CtlRun run = CtlRun.run(ENV, args);
        assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
        assertEquals(expectedLine, run.errorLine());
        assertEquals("", run.out());
    }

    @Test
    void badReplicas() {
        assertUsage("error: invalid --replicas \"-1\": must be a whole number >= 0",
                "service", "create", "--replicas", "-1", "busybox");
        assertUsage("error: invalid --replicas \"abc\": must be a whole number >= 0",
                "service", "create", "--replicas", "abc", "busybox");
    }

    @Test
    void badResources() {
        assertUsage("error: invalid --limit-memory \"12X\": use a number with an optional unit b, k,"
                + " m, g (e.g. 64M, 1.5g)", "service", "create", "--limit-memory", "12X", "busybox");
        assertUsage("error: invalid --reserve-cpu \"-1\": use a positive number of CPUs (e.g. 0.5, 2)",
                "service", "create", "--reserve-cpu", "-1", "busybox");
        assertUsage("error: --reserve-memory 1g is more than --limit-memory 64m: a reservation must "
                + "fit in the limit", "service", "create", "--limit-memory", "64m",
                "--reserve-memory", "1g", "busybox");
    }

    @Test
    void badEnvAndWorkdir() {
        assertUsage("error: invalid --env \"=x\": use KEY=VALUE, or KEY to pass its value from this "
                + "shell (e.g. -e LOG_LEVEL=debug)", "service", "create", "-e", "=x", "busybox");
        assertUsage("error: invalid --workdir \"app\": use an absolute path inside the container "
                + "(e.g. /app)", "service", "create", "--workdir", "app", "busybox");
    }

    @Test
    void badScaleArguments() {
        assertUsage("error: invalid scale argument \"web\": use SERVICE=REPLICAS (e.g. web=5)",
                "service", "scale", "web");
        assertUsage("error: invalid scale argument \"web=-2\": the replica count must be a whole "
                + "number >= 0 (e.g. web=5)", "service", "scale", "api=1", "web=-2");
    }

    @Test
    void unknownCommandsAndOptions() {
        assertUsage("error: unknown command \"servce\" for \"orchctl\"; use one of: service, node, "
                + "image, swarm, events, exec, stats, registry, volume, network, secret, config, stack (see"
                + " 'orchctl --help')", "servce", "ls");
        assertUsage("error: unknown option \"--bogus\" for \"orchctl service ls\" (see 'orchctl "
                + "service ls --help')", "service", "ls", "--bogus");
        assertUsage("error: \"orchctl service\" needs a command: create, ls, ps, inspect, scale, rm, "
                + "update, rollback, logs (see 'orchctl service --help')", "service");
        assertUsage("error: \"orchctl service create\" needs IMAGE (see 'orchctl service create "
                + "--help')", "service", "create");
        assertUsage("error: invalid --format \"yaml\": use table or json",
                "node", "ls", "--format", "yaml");
    }

    @Test
    void badNodeUpdates() {
        assertUsage("error: invalid --availability \"x\": use active, pause or drain",
                "node", "update", "--availability", "x", "worker-1");
        assertUsage("error: invalid --label-add \"=v\": use KEY=VALUE (e.g. --label-add zone=eu-1)",
                "node", "update", "--label-add", "=v", "worker-1");
        assertUsage("error: invalid --label-rm \"\": use the label's KEY (e.g. --label-rm zone)",
                "node", "update", "--label-rm", "", "worker-1");
        assertUsage("error: \"orchctl node update\" needs a change: --availability, --label-add or "
                + "--label-rm (see 'orchctl node update --help')", "node", "update", "worker-1");
        assertUsage("error: \"orchctl node update\" needs NODE (see 'orchctl node update --help')",
                "node", "update", "--availability", "drain");
    }

    @Test
    void badSwarmCommands() {
        assertUsage("error: invalid --dispatcher-heartbeat \"5x\": unknown unit \"x\"; use a number "
                + "with a unit ns, us, ms, s, m, h (e.g. 500ms, 5s, 1m30s)",
                "swarm", "update", "--dispatcher-heartbeat", "5x");
        assertUsage("error: invalid --dispatcher-heartbeat \"0s\": must be at least 1ms (e.g. 5s)",
                "swarm", "update", "--dispatcher-heartbeat", "0s");
        assertUsage("error: invalid --dispatcher-heartbeat \"-5s\": must not be negative; use a "
                + "number with a unit ns, us, ms, s, m, h (e.g. 500ms, 5s, 1m30s)",
                "swarm", "update", "--dispatcher-heartbeat=-5s");
        assertUsage("error: \"orchctl swarm update\" needs a setting to change: "
                + "--dispatcher-heartbeat or --task-history-limit (see 'orchctl swarm update --help')",
                "swarm", "update");
        assertUsage("error: invalid role \"admin\": use worker or manager (e.g. orchctl swarm "
                + "join-token worker)", "swarm", "join-token", "admin");
        assertUsage("error: \"orchctl swarm\" needs a command: join-token, inspect, update, backup (see "
                + "'orchctl swarm --help')", "swarm");
    }

    @Test
    void badHost() {
        assertUsage("error: invalid manager address \"abc\" from --host: use HOST:PORT (e.g. "
                + "10.0.0.1:4242, [fd00::1]:4242)", "--host", "abc", "node", "ls");
    }

    @Test
    void helpGoesToStdoutWithExitZero() {
        CtlRun run = CtlRun.run(ENV, "service", "create", "--help");
        assertEquals(ExitCodes.OK, run.exitCode());
        assertTrue(run.out().contains("--limit-memory"), run.out());
        assertEquals("", run.err());
    }
}
