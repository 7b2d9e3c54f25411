package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.RegistryAuth;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** registry login/logout and --with-registry-auth over real gRPC against {@link FakeManager}. */
class RegistryCommandsTest {
    @TempDir Path tmp;
    private FakeManager manager;
    private Map<String, String> env;

    @BeforeEach
    void start() throws Exception {
        manager = new FakeManager();
        env = new HashMap<>(manager.env());
        env.put("ORCH_CONFIG_DIR", tmp.resolve("orch").toString());
        env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
    }

    @AfterEach
    void stop() throws Exception {
        manager.close();
    }

    private CtlRun run(String... args) {
        return CtlRun.run(env, args);
    }

    @Test
    void loginStoresPrivatelyAndCreateSendsTheImageRegistrysCredentials() throws Exception {
        CtlRun login = run("registry", "login", "-u", "alice", "-p", "s3cret", "reg.example.com:5000");
        assertEquals(ExitCodes.OK, login.exitCode(), login.err());
        Path file = tmp.resolve("orch/registries.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(Files.readString(file).contains("s3cret"), "stored encoded as docker does, not in clear text");

        CtlRun create = run("service", "create", "-d", "--with-registry-auth", "--name", "api",
                "reg.example.com:5000/team/api:2");
        assertEquals(ExitCodes.OK, create.exitCode(), create.err());
        RegistryAuth auth = manager.createRequests.get(0).getRegistryAuth();
        assertEquals(RegistryAuth.newBuilder().setRegistry("reg.example.com:5000").setUsername("alice")
                .setPassword("s3cret").build(), auth);

        CtlRun plain = run("service", "create", "-d", "--name", "web", "reg.example.com:5000/team/web:1");
        assertEquals(ExitCodes.OK, plain.exitCode(), plain.err());
        assertFalse(manager.createRequests.get(1).hasRegistryAuth(), "credentials only when asked");

        assertEquals(ExitCodes.OK, run("registry", "logout", "reg.example.com:5000").exitCode());
        CtlRun again = run("registry", "logout", "reg.example.com:5000");
        assertEquals(ExitCodes.FAILURE, again.exitCode());
        assertEquals("error: no credentials stored for reg.example.com:5000", again.errorLine());
    }

    @Test
    void dockersConfigIsReadWhenOrchctlHasNone() throws Exception {
        Files.createDirectories(tmp.resolve("docker"));
        String auth = Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8));
        Files.writeString(tmp.resolve("docker/config.json"),
                "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"}}}");
        CtlRun create = run("service", "create", "-d", "--with-registry-auth", "--name", "hub", "bob/private:1");
        assertEquals(ExitCodes.OK, create.exitCode(), create.err());
        RegistryAuth sent = manager.createRequests.get(0).getRegistryAuth();
        assertEquals("docker.io", sent.getRegistry());
        assertEquals("bob", sent.getUsername());
        assertEquals("pw", sent.getPassword());
    }

    @Test
    void missingCredentialsAndBadInputAreUsageErrorsThatSendNothing() {
        CtlRun create = run("service", "create", "-d", "--with-registry-auth", "--name", "api", "reg.example.com/api:1");
        assertEquals(ExitCodes.USAGE, create.exitCode());
        assertTrue(create.errorLine().contains("no credentials for registry reg.example.com")
                && create.errorLine().contains("orchctl registry login reg.example.com"), create.err());
        assertTrue(manager.createRequests.isEmpty());

        CtlRun badHost = run("registry", "login", "-u", "a", "-p", "b", "https://reg/");
        assertEquals(ExitCodes.USAGE, badHost.exitCode());
        assertTrue(badHost.errorLine().contains("invalid registry \"https://reg/\""), badHost.err());
        CtlRun noPassword = run("registry", "login", "-u", "a", "reg.example.com");
        assertEquals(ExitCodes.USAGE, noPassword.exitCode());
        assertTrue(noPassword.errorLine().contains("--password-stdin"), noPassword.err());
    }
}
