package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real gRPC against a local port nothing listens on, reached through each way of naming it. The
 * client certificate is there (an unreachable manager must not be blamed on TLS).
 */
class ManagerUnreachableTest {
    private static final String TLS_DIR = TestCa.adminBundle().toString();
    private static int closedPort;

    @BeforeAll
    static void findClosedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
    }

    private static Map<String, String> unreachableEnv() {
        return Map.of("ORCH_HOST", "127.0.0.1:" + closedPort, "ORCH_TLS_DIR", TLS_DIR);
    }

    private String expectedLine() {
        return "error: cannot reach the manager at 127.0.0.1:" + closedPort
                + " (connection refused); is orchd running? check --host/ORCH_HOST";
    }

    @Test
    void hostOptionBeforeTheCommand() {
        CtlRun run = CtlRun.run(Map.of("ORCH_TLS_DIR", TLS_DIR), "--host",
                "127.0.0.1:" + closedPort, "service", "ls");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals(expectedLine(), run.errorLine());
        assertEquals("", run.out());
    }

    @Test
    void hostOptionAfterTheCommandWins() {
        CtlRun run = CtlRun.run(Map.of("ORCH_HOST", "127.0.0.1:1", "ORCH_TLS_DIR", TLS_DIR),
                "node", "ls", "--host", "127.0.0.1:" + closedPort);
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals(expectedLine(), run.errorLine());
    }

    @Test
    void orchHostEnvironment() {
        CtlRun run = CtlRun.run(unreachableEnv(),
                "service", "create", "-d", "busybox", "sh", "-c", "sleep 1");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals(expectedLine(), run.errorLine());
    }

    @Test
    void hostFileAndBundleWrittenByOrchdInit(@TempDir Path config) throws IOException {
        Files.writeString(config.resolve("host"), "127.0.0.1:" + closedPort + "\n");
        for (String file : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
            Files.copy(TestCa.adminBundle().resolve(file), config.resolve(file));
        }
        CtlRun run = CtlRun.run(Map.of("ORCH_CONFIG_DIR", config.toString()), "image", "ls");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals(expectedLine(), run.errorLine());
    }

    @Test
    void noAddressAnywhere(@TempDir Path emptyConfig) {
        CtlRun run = CtlRun.run(Map.of("ORCH_CONFIG_DIR", emptyConfig.toString()), "node", "ls");
        assertEquals(ExitCodes.USAGE, run.exitCode());
        assertEquals("error: no manager address: pass --host, set ORCH_HOST, or run orchd init on "
                + "this machine", run.errorLine());
    }

    @Test
    void severalTargetsStopAtTheFirstUnreachable() {
        CtlRun run = CtlRun.run(unreachableEnv(),
                "service", "rm", "a", "b", "c");
        assertEquals(ExitCodes.FAILURE, run.exitCode());
        assertEquals(expectedLine(), run.errorLine());
    }
}
