package dev.orch.ctl.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orch.ctl.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManagerAddressTest {
    @TempDir
    Path config;

    @Test
    void optionBeatsEnvironmentBeatsFile() throws IOException {
        Files.writeString(config.resolve("host"), "10.0.0.3:4242\n");
        Map<String, String> env = Map.of("ORCH_HOST", "10.0.0.2:4242",
                "ORCH_CONFIG_DIR", config.toString());
        assertEquals(new ManagerAddress("10.0.0.1", 1), ManagerAddress.discover("10.0.0.1:1", env));
        assertEquals(new ManagerAddress("10.0.0.2", 4242), ManagerAddress.discover(null, env));
        assertEquals(new ManagerAddress("10.0.0.3", 4242), ManagerAddress.discover(null,
                Map.of("ORCH_HOST", " ", "ORCH_CONFIG_DIR", config.toString())));
    }

    @Test
    void hostFileDefaultsToDotOrchInTheHomeDirectory() {
        assertEquals(Path.of(System.getProperty("user.home"), ".orch", "host"),
                ManagerAddress.hostFile(Map.of()));
        assertEquals(config.resolve("host"),
                ManagerAddress.hostFile(Map.of("ORCH_CONFIG_DIR", config.toString())));
    }

    @Test
    void hostFileMayHaveBlankLinesAndSpaces() throws IOException {
        Files.writeString(config.resolve("host"), "\n  192.168.1.5:7000  \n");
        assertEquals(new ManagerAddress("192.168.1.5", 7000),
                ManagerAddress.discover(null, Map.of("ORCH_CONFIG_DIR", config.toString())));
    }

    @Test
    void missingEverywhereNamesAllThreeFixes() {
        UsageException e = assertThrows(UsageException.class,
                () -> ManagerAddress.discover(null, Map.of("ORCH_CONFIG_DIR", config.toString())));
        assertEquals("no manager address: pass --host, set ORCH_HOST, or run orchd init on this "
                + "machine", e.getMessage());
    }

    @Test
    void malformedFileNamesTheFile() throws IOException {
        Files.writeString(config.resolve("host"), "garbage\n");
        UsageException e = assertThrows(UsageException.class,
                () -> ManagerAddress.discover(null, Map.of("ORCH_CONFIG_DIR", config.toString())));
        assertEquals("invalid manager address \"garbage\" in " + config.resolve("host") + ": use "
                + "HOST:PORT (e.g. 10.0.0.1:4242, [fd00::1]:4242); rerun orchd init or pass --host",
                e.getMessage());
    }

    @Test
    void ipv6AndNames() {
        ManagerAddress v6 = ManagerAddress.parse("[fd00::1]:4242", "--host", "");
        assertEquals(new ManagerAddress("fd00::1", 4242), v6);
        assertEquals("[fd00::1]:4242", v6.toString());
        assertEquals(new ManagerAddress("manager-1", 80), ManagerAddress.parse("manager-1:80", "x", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "host:", ":4242", "host:0", "host:65536", "host:http",
        "fd00::1:4242", "[fd00::1]", "h:-1"})
    void rejectsMalformed(String value) {
        UsageException e = assertThrows(UsageException.class,
                () -> ManagerAddress.parse(value, "ORCH_HOST", ""));
        assertEquals("invalid manager address \"" + value + "\" from ORCH_HOST: use HOST:PORT (e.g. "
                + "10.0.0.1:4242, [fd00::1]:4242)", e.getMessage());
    }
}
