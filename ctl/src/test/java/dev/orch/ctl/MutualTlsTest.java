package dev.orch.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * orchctl against a manager that serves only mutual TLS: where the client certificate is read
 * from, and the one line each way of getting it wrong produces.
 */
class MutualTlsTest {
    private static final String FIX = "copy the admin bundle from the manager's DATA/admin/ to ";

    @TempDir
    Path dir;
    private FakeManager manager;

    @BeforeEach
    void start() throws Exception {
        manager = new FakeManager();
    }

    @AfterEach
    void stop() throws Exception {
        manager.close();
    }

    private String address() {
        return "127.0.0.1:" + manager.port();
    }

    private CtlRun runWithTlsDir(Path tlsDir, String... args) {
        Map<String, String> env = new HashMap<>(manager.env());
        env.put("ORCH_TLS_DIR", tlsDir.toString());
        return CtlRun.run(env, args);
    }

    /** The shared CA's admin bundle with some of its files replaced by those of {@code from}. */
    private Path bundleWith(String name, Path from, String... files) throws IOException {
        Path bundle = dir.resolve(name);
        Files.createDirectories(bundle);
        for (String file : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
            Files.copy(TestCa.adminBundle().resolve(file), bundle.resolve(file),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        for (String file : files) {
            Files.copy(from.resolve(file), bundle.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        return bundle;
    }

    private static void assertFailure(CtlRun run) {
        assertEquals(ExitCodes.FAILURE, run.exitCode(), run.err());
        assertEquals("", run.out());
    }

    @Test
    void theAdminBundleWorks() {
        CtlRun run = CtlRun.run(manager.env(), "node", "ls");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    }

    @Test
    void missingBundleNamesTheDirectoryAndTheFix() {
        CtlRun run = runWithTlsDir(dir, "node", "ls");
        assertFailure(run);
        assertEquals("error: no client certificate in " + dir + " (ca.pem, cert.pem, key.pem): copy "
                + "the admin bundle from the manager's DATA/admin/ there, or pass --tls-dir",
                run.errorLine());
    }

    @Test
    void aPartialBundleIsMissingToo() throws IOException {
        Files.copy(TestCa.adminBundle().resolve("ca.pem"), dir.resolve("ca.pem"));
        Files.copy(TestCa.adminBundle().resolve("cert.pem"), dir.resolve("cert.pem"));
        CtlRun run = runWithTlsDir(dir, "service", "ls");
        assertFailure(run);
        assertTrue(run.errorLine().startsWith("error: no client certificate in " + dir + " ("),
                run.err());
    }

    @Test
    void withoutTlsDirTheBundleIsReadFromTheConfigDirectory() throws IOException {
        Files.writeString(dir.resolve("host"), address() + "\n");
        CtlRun run = CtlRun.run(Map.of("ORCH_CONFIG_DIR", dir.toString()), "node", "ls");
        assertFailure(run);
        assertTrue(run.errorLine().startsWith("error: no client certificate in " + dir + " ("),
                run.err());
        for (String file : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
            Files.copy(TestCa.adminBundle().resolve(file), dir.resolve(file));
        }
        run = CtlRun.run(Map.of("ORCH_CONFIG_DIR", dir.toString()), "node", "ls");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    }

    @Test
    void tlsDirOptionBeatsTheEnvironment() {
        CtlRun run = runWithTlsDir(dir, "node", "ls", "--tls-dir", TestCa.adminBundle().toString());
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
        run = runWithTlsDir(dir, "--tls-dir", TestCa.adminBundle().toString(), "swarm", "inspect");
        assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    }

    @Test
    void clientCertificateOfAnotherClusterIsRefusedByTheManager() throws IOException {
        Path other = new TestCa("cluster-2").writeBundle(dir.resolve("other"), "admin",
                TestCa.ADMIN_ROLE);
        Path bundle = bundleWith("foreign", other, "cert.pem", "key.pem");
        CtlRun run = runWithTlsDir(bundle, "service", "ls");
        assertFailure(run);
        String line = run.errorLine();
        assertTrue(line.startsWith("error: the manager at " + address() + " did not accept this "
                + "client's certificate " + bundle.resolve("cert.pem") + " ("), line);
        assertTrue(line.endsWith("): it belongs to another cluster or has expired; " + FIX + bundle
                + ", or pass --tls-dir"), line);
    }

    @Test
    void expiredClientCertificate() {
        Instant now = Instant.now();
        Path bundle = TestCa.shared().writeBundle(dir.resolve("expired"), "admin", TestCa.ADMIN_ROLE,
                now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        CtlRun run = runWithTlsDir(bundle, "node", "ls");
        assertFailure(run);
        assertTrue(run.errorLine().contains(" did not accept this client's certificate "
                + bundle.resolve("cert.pem") + " (alert: certificate expired): it belongs to "
                + "another cluster or has expired; "), run.err());
    }

    @Test
    void managerOfAnotherClusterIsNotTrusted() throws IOException {
        Path other = new TestCa("cluster-2").writeBundle(dir.resolve("other"), "admin",
                TestCa.ADMIN_ROLE);
        Path bundle = bundleWith("stale-ca", other, "ca.pem");
        CtlRun run = runWithTlsDir(bundle, "node", "ls");
        assertFailure(run);
        String line = run.errorLine();
        assertTrue(line.startsWith("error: the manager at " + address() + " presented a certificate"
                + " that " + bundle.resolve("ca.pem") + " does not trust ("), line);
        assertTrue(line.endsWith("): the manager belongs to another cluster, or ca.pem is from an "
                + "older one; " + FIX + bundle + ", or pass --tls-dir"), line);
    }

    @Test
    void aServerCertificateWithoutTheManagerNameIsRefused() throws Exception {
        Path workerBundle = TestCa.shared().writeBundle(dir.resolve("worker"), "node-7",
                "orch-worker");
        try (FakeManager impostor = new FakeManager(workerBundle)) {
            CtlRun run = CtlRun.run(Map.of("ORCH_HOST", "127.0.0.1:" + impostor.port(),
                    "ORCH_TLS_DIR", TestCa.adminBundle().toString()), "node", "ls");
            assertFailure(run);
            assertTrue(run.errorLine().startsWith("error: the server at 127.0.0.1:"
                    + impostor.port() + " presented a certificate that is not a manager's ("),
                    run.err());
        }
    }

    @Test
    void aRefusalByTheManagerStopsAtTheFirstTarget() {
        manager.refuseCertificate = "the client certificate belongs to another cluster (cluster-9)";
        CtlRun run = CtlRun.run(manager.env(), "node", "rm", "a", "b", "c");
        assertFailure(run);
        assertEquals("error: the manager at " + address() + " did not accept this client's "
                + "certificate " + TestCa.adminBundle().resolve("cert.pem") + ": the client "
                + "certificate belongs to another cluster (cluster-9); " + FIX + TestCa.adminBundle()
                + ", or pass --tls-dir", run.errorLine());
    }

    @Test
    void unusableFilesNameTheFile() throws IOException {
        Path garbageKey = bundleWith("garbage-key", dir);
        Files.writeString(garbageKey.resolve("key.pem"), "not a key\n");
        assertEquals("error: the client certificate in " + garbageKey + " is unusable: key.pem is "
                + "not a PEM private key; " + FIX + garbageKey + ", or pass --tls-dir",
                runWithTlsDir(garbageKey, "node", "ls").errorLine());

        Path sec1 = bundleWith("sec1-key", dir);
        Files.writeString(sec1.resolve("key.pem"),
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertEquals("error: the client certificate in " + sec1 + " is unusable: key.pem is not in "
                + "PKCS#8 form (BEGIN PRIVATE KEY); convert it with openssl pkcs8 -topk8 -nocrypt; "
                + FIX + sec1 + ", or pass --tls-dir", runWithTlsDir(sec1, "node", "ls").errorLine());

        Path garbageCa = bundleWith("garbage-ca", dir);
        Files.writeString(garbageCa.resolve("ca.pem"), "hello\n");
        CtlRun run = runWithTlsDir(garbageCa, "node", "ls");
        assertFailure(run);
        assertEquals("error: the client certificate in " + garbageCa + " is unusable: ca.pem is not"
                + " a PEM certificate; " + FIX + garbageCa + ", or pass --tls-dir", run.errorLine());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsUnusable() throws IOException {
        Path other = new TestCa("cluster-2").writeBundle(dir.resolve("other"), "admin",
                TestCa.ADMIN_ROLE);
        Path bundle = bundleWith("mismatch", other, "key.pem");
        CtlRun run = runWithTlsDir(bundle, "node", "ls");
        assertFailure(run);
        assertEquals("error: the client certificate in " + bundle + " is unusable: key.pem is not "
                + "the key of cert.pem; " + FIX + bundle + ", or pass --tls-dir", run.errorLine());
    }

    @Test
    void aPlaintextServerDoesNotSpeakTls() throws Exception {
        Server plain = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new FakeManager.Plain()).build().start();
        try {
            CtlRun run = CtlRun.run(Map.of("ORCH_HOST", "127.0.0.1:" + plain.getPort(),
                    "ORCH_TLS_DIR", TestCa.adminBundle().toString()), "node", "ls");
            assertFailure(run);
            assertEquals("error: the server at 127.0.0.1:" + plain.getPort() + " does not speak TLS;"
                    + " is it an orch manager of this version? check --host/ORCH_HOST",
                    run.errorLine());
        } finally {
            plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
