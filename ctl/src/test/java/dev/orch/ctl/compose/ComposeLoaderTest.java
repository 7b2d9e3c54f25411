package dev.orch.ctl.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orch.proto.DeployStackRequest;
import dev.orch.proto.FileReference;
import dev.orch.proto.ServiceMode;
import dev.orch.proto.ServiceSpec;
import dev.orch.proto.UpdateFailureAction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComposeLoaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private ComposeProject load(Map<String, String> env, String... texts) throws IOException {
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            files.add(file("f" + i + ".yml", texts[i]));
        }
        return ComposeProject.load(files, env);
    }

    private static String text(ComposeProject p, String... path) {
        YamlNode n = p.root();
        for (String key : path) {
            n = n.get(key);
        }
        return n.text();
    }

    @Test
    void interpolatesEveryForm() throws IOException {
        ComposeProject p = load(Map.of("SET", "a", "EMPTY", ""), """
                services:
                  s:
                    image: "${SET}/$SET/${SET:-d}/${EMPTY:-d}/${EMPTY-d}/${UNSET-d}/${UNSET:-${SET}x}/$$SET/${SET:+alt}"
                """);
        assertEquals("a/a/a/d//d/ax/$SET/alt", text(p, "services", "s", "image"));
        assertEquals(List.of(), p.warnings());
    }

    @Test
    void unsetVariableWarnsOnceAndIsBlank() throws IOException {
        ComposeProject p = load(Map.of(), "services:\n  s:\n    image: x${NOPE}\n    hostname: ${NOPE}\n");
        assertEquals("x", text(p, "services", "s", "image"));
        assertEquals(List.of("the NOPE variable is not set; defaulting to a blank string"), p.warnings());
    }

    @Test
    void requiredVariableErrorNamesFileLineAndColumn() throws IOException {
        ComposeException e = assertThrows(ComposeException.class, () -> load(Map.of(),
                "services:\n  s:\n    image: ${IMG:?give an image}\n"));
        assertEquals(dir.resolve("f0.yml") + ":3:12: required variable IMG is not set: give an image; set it in the"
                + " environment or in .env", e.getMessage());
    }

    @Test
    void dotEnvBesideTheFirstFileAndTheEnvironmentWins() throws IOException {
        file(".env", "# comment\nTAG=1.0\nexport REPO=\"busybox\"\nOVER=file\n");
        ComposeProject p = load(Map.of("OVER", "env"), "services:\n  s:\n    image: ${REPO}:${TAG}\n    hostname: ${OVER}\n");
        assertEquals("busybox:1.0", text(p, "services", "s", "image"));
        assertEquals("env", text(p, "services", "s", "hostname"));
    }

    @Test
    void anchorsAndMergeKeysWithLocalKeysWinning() throws IOException {
        ComposeProject p = load(Map.of(), """
                x-common: &common
                  image: busybox
                  hostname: common
                  environment: &env
                    A: "1"
                services:
                  s:
                    <<: *common
                    hostname: own
                  t:
                    <<: [*common]
                    environment:
                      <<: *env
                      B: "2"
                """);
        assertEquals("busybox", text(p, "services", "s", "image"));
        assertEquals("own", text(p, "services", "s", "hostname"));
        assertEquals("1", text(p, "services", "t", "environment", "A"));
        assertEquals("2", text(p, "services", "t", "environment", "B"));
    }

    @Test
    void laterFilesMergeAsDockerDoes() throws IOException {
        ComposeProject p = load(Map.of(), """
                services:
                  s:
                    image: busybox:1
                    command: [sleep, "1"]
                    environment: [A=1, B=2]
                    secrets: [one]
                    deploy: {replicas: 2, labels: {x: "1"}}
                """, """
                services:
                  s:
                    image: busybox:2
                    command: [sleep, "2"]
                    environment: {B: "3"}
                    secrets: [two, one]
                    deploy: {labels: {y: "2"}}
                  t:
                    image: other
                """);
        YamlNode s = p.root().get("services").get("s");
        assertEquals("busybox:2", s.get("image").text());
        assertEquals(List.of("sleep", "2"), s.get("command").items().stream().map(YamlNode::text).toList());
        assertEquals("1", s.get("environment").get("A").text());
        assertEquals("3", s.get("environment").get("B").text());
        assertEquals(List.of("one", "two"), s.get("secrets").items().stream().map(YamlNode::text).toList());
        assertEquals("2", s.get("deploy").get("replicas").text());
        assertEquals(2, s.get("deploy").get("labels").entries().size());
        assertTrue(p.root().get("services").has("t"));
    }

    @Test
    void malformedYamlNamesLineAndColumn() {
        ComposeException e = assertThrows(ComposeException.class, () -> load(Map.of(),
                "services:\n  s:\n    image: [unclosed\n"));
        assertTrue(e.getMessage().startsWith(dir.resolve("f0.yml") + ":4:1: invalid YAML"), e.getMessage());
    }

    @Test
    void duplicateKeyIsAnError() {
        ComposeException e = assertThrows(ComposeException.class, () -> load(Map.of(),
                "services:\n  s:\n    image: a\n    image: b\n"));
        assertEquals(dir.resolve("f0.yml") + ":4:5: key \"image\" is given twice in this mapping", e.getMessage());
    }

    @Test
    void stackConfigPrintsTypedValues() throws IOException {
        ComposeProject p = load(Map.of("N", "3"), """
                services:
                  s:
                    image: busybox
                    deploy: {replicas: "${N}", mode: replicated}
                    environment: {Q: "0440", P: 0440}
                """);
        String yaml = ComposeWriter.write(p.root());
        assertTrue(yaml.contains("replicas: \"3\""), yaml);
        assertTrue(yaml.contains("Q: \"0440\""), yaml);
        assertTrue(yaml.contains("P: 288"), yaml);
    }

    private StackConverter.Result convert(String text) throws IOException {
        return StackConverter.convert(load(Map.of("HOME", dir.toString()), text), "app", Map.of("HOME", dir.toString()));
    }

    @Test
    void convertsServicesSecretsAndConfigs() throws IOException {
        file("pw.txt", "s3cret");
        file("web.env", "A=from_file\nB=from_file\n");
        DeployStackRequest r = convert("""
                version: "3.8"
                services:
                  web:
                    image: withentry
                    command: serve --port 80
                    env_file: web.env
                    environment: [B=own]
                    secrets:
                      - pw
                      - {source: pw, target: /etc/pw, uid: "10", gid: "20", mode: 0400}
                    configs: [conf]
                    deploy:
                      replicas: 3
                      labels: [tier=front]
                      resources: {limits: {cpus: "0.5", memory: 64M, pids: 100}, reservations: {memory: 16M}}
                      restart_policy: {condition: on-failure, delay: 2s, max_attempts: 3, window: 1m}
                      placement: {constraints: [node.role == manager], preferences: [{spread: node.labels.az}]}
                      update_config: {parallelism: 2, delay: 10s, failure_action: rollback, order: start-first}
                  job:
                    image: busybox
                    entrypoint: ["sh", "-c"]
                    command: ["echo hi"]
                    deploy: {mode: replicated-job}
                secrets:
                  pw: {file: ./pw.txt}
                configs:
                  conf: {content: "hello"}
                """).request();
        assertEquals("app", r.getName());
        ServiceSpec web = r.getServices(0);
        assertEquals("app_web", web.getName());
        assertEquals(List.of("serve", "--port", "80"), web.getContainer().getCommandList());
        assertEquals(List.of(), web.getContainer().getEntrypointList());
        assertEquals(List.of("A=from_file", "B=own"), web.getContainer().getEnvList());
        assertEquals(3, web.getReplicas());
        assertEquals("front", web.getLabelsMap().get("tier"));
        assertEquals(64L << 20, web.getLimits().getMemoryBytes());
        assertEquals(500_000_000L, web.getLimits().getNanoCpus());
        assertEquals(100, web.getLimits().getPids());
        assertEquals(3, web.getRestart().getMaxAttempts());
        assertEquals(60_000, web.getRestart().getWindowMs());
        assertEquals(List.of("node.role == manager"), web.getPlacement().getConstraintsList());
        assertEquals(UpdateFailureAction.FAILURE_ACTION_ROLLBACK, web.getUpdate().getFailureAction());
        assertEquals(FileReference.newBuilder().setName("app_pw").setTarget("pw").build(),
                web.getContainer().getSecrets(0));
        assertEquals(FileReference.newBuilder().setName("app_pw").setTarget("/etc/pw").setUid(10).setGid(20)
                .setMode(0400).build(), web.getContainer().getSecrets(1));
        assertEquals("app_conf", web.getContainer().getConfigs(0).getName());
        ServiceSpec job = r.getServices(1);
        assertEquals(ServiceMode.MODE_REPLICATED_JOB, job.getMode());
        assertEquals(1, job.getReplicas());
        assertEquals(List.of("sh", "-c"), job.getContainer().getEntrypointList());
        assertEquals(List.of("echo hi"), job.getContainer().getCommandList());
        assertEquals("app_pw", r.getSecrets(0).getName());
        assertEquals("s3cret", r.getSecrets(0).getData().toStringUtf8());
        assertEquals("hello", r.getConfigs(0).getData().toStringUtf8());
    }

    @Test
    void ignoredKeysWarnOnceEach() throws IOException {
        var r = convert("""
                services:
                  a: {image: x, build: ., depends_on: [b], container_name: a}
                  b: {image: x, build: ., restart: always}
                """);
        assertEquals(List.of(
                "ignoring unsupported option \"build\" (services a, b): stacks do not build images; push it to a"
                        + " registry or import it (orchctl image import)",
                "ignoring unsupported option \"container_name\" (service a): setting the container name is not"
                        + " supported",
                "ignoring unsupported option \"depends_on\" (service a): services start in any order; make them retry",
                "ignoring unsupported option \"restart\" (service b): use deploy.restart_policy"), r.warnings());
    }

    @Test
    void forbiddenUnknownAndNotYetKeysAreErrorsAtTheirPosition() throws IOException {
        String f = dir.resolve("f0.yml").toString();
        assertEquals(f + ":3:5: \"mem_limit\" (service a) is not supported: set resource limits with"
                + " deploy.resources.limits.memory", assertThrows(ComposeException.class,
                () -> convert("services:\n  a:\n    mem_limit: 1g\n    image: x\n")).getMessage());
        assertEquals(f + ":4:5: unknown key \"imgae\" in service a: check its spelling against the compose file"
                + " reference", assertThrows(ComposeException.class,
                () -> convert("services:\n  a:\n    image: x\n    imgae: y\n")).getMessage());
        String notYet = assertThrows(ComposeException.class,
                () -> convert("services:\n  a:\n    image: x\n    sysctls: [a=1]\n    extra_hosts: [\"h:1.2.3.4\"]\n"))
                .getMessage();
        assertEquals(f + ":4:5: not supported in stack files yet: sysctls at 4:5 (sysctls); extra_hosts at 5:5 (extra"
                + " hosts entries). Remove these keys to deploy the stack without them", notYet);
    }

    @Test
    void wrongTypesAndMissingFilesNameThePosition() throws IOException {
        String f = dir.resolve("f0.yml").toString();
        assertEquals(f + ":3:24: deploy.replicas must be a whole number 0 or more, not \"three\"",
                assertThrows(ComposeException.class, () -> convert(
                        "services:\n  a:\n    deploy: {replicas: three}\n    image: x\n")).getMessage());
        assertEquals(f + ":3:15: env_file " + dir.resolve("missing.env") + " of service a does not exist; create it"
                + " or fix the path", assertThrows(ComposeException.class, () -> convert(
                        "services:\n  a:\n    env_file: missing.env\n    image: x\n")).getMessage());
        assertEquals(f + ":3:15: service a uses secret \"nope\", which the top-level secrets do not define; add it"
                + " there (file: or external:)", assertThrows(ComposeException.class, () -> convert(
                        "services:\n  a:\n    secrets: [nope]\n    image: x\n")).getMessage());
    }
}
