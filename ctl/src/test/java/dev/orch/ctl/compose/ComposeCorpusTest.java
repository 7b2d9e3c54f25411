package dev.orch.ctl.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file of the compatibility corpus (real compose files from public projects, in the
 * shared folder beside the repository) loads as {@code stack config} does, and converts as
 * {@code stack deploy} would. The conversion outcome of each file is pinned: converted, or the
 * first error, which for these files must be a feature orch does not have yet or an image the
 * file leaves to {@code build}. Variables the files expect from a .env are given values; files
 * the compose files point at (secrets, env files) are made empty in a copy of the folder.
 */
class ComposeCorpusTest {
    private static final Path CORPUS = locateCorpus();
    private static final Pattern REQUIRED = Pattern.compile("required variable (\\w+) is");
    private static final Pattern MISSING_FILE = Pattern.compile(" file (/\\S+) (of service \\S+ )?does not exist");
    private static final Pattern ENV_FILE = Pattern.compile("env_file (/\\S+) of service");

    /** The conversion outcome per file: "ok" or the reason the first error gives. */
    private static final Map<String, String> OUTCOMES = new LinkedHashMap<>();

    static {
        String build = "has no image";
        for (String f : List.of("01", "03", "04", "08", "09", "11", "12", "13", "14", "19", "20", "21", "22", "24",
                "25", "29")) {
            OUTCOMES.put(f, "ok");
        }
        // volumes of other drivers (NFS options, rexray) and fixed addresses have no orch feature
        OUTCOMES.put("15", "volume consul has driver_opts");
        OUTCOMES.put("16", "volume acme has driver \"rexray/dobs\"");
        OUTCOMES.put("18", "volume kong_prefix_vol has driver_opts");
        OUTCOMES.put("23", "network setting \"ipv4_address\" (service cloudflared) is not supported");
        // their .env gives a host path; the value filled in here names a volume the files do not define
        for (String f : List.of("26", "27", "30")) {
            OUTCOMES.put(f, "mounts volume \"1\", which is not defined");
        }
        for (String f : List.of("02", "05", "06", "07")) {
            OUTCOMES.put(f, build);
        }
        // the loader fixtures of docker and compose-go: a volume plugin, reserved addresses in a subnet
        OUTCOMES.put("10", "volume other-volume has driver \"flocker\"");
        OUTCOMES.put("17", "ipam.config.aux_addresses is not supported");
        OUTCOMES.put("28", "ok");
    }

    @Test
    void everyFileLoadsAndConvertsOrNamesTheMissingFeature(@TempDir Path work) throws IOException {
        Assumptions.assumeTrue(CORPUS != null, () -> {
            System.err.println("SKIPPED LOUDLY: the compose corpus (shared/compat/compose beside the repository)"
                    + " is not here");
            return "no compose corpus";
        });
        List<Path> files;
        try (Stream<Path> s = Files.list(CORPUS)) {
            files = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        assertTrue(files.size() >= 26, "corpus has " + files.size() + " files");
        Map<String, String> seen = new LinkedHashMap<>();
        for (Path original : files) {
            String number = original.getFileName().toString().substring(0, 2);
            Path dir = Files.createDirectories(work.resolve(number));
            Path file = Files.copy(original, dir.resolve(original.getFileName()));
            Map<String, String> env = new HashMap<>(Map.of("HOME", dir.toString()));
            ComposeProject project = loadFillingVariables(file, env);
            String yaml = ComposeWriter.write(project.root());
            // what stack config prints is YAML with the same services
            assertEquals(project.root().get("services").entries().keySet(),
                    YamlReader.read("printed", yaml).get("services").entries().keySet(), number);
            seen.put(number, convertMakingFiles(project, file, env));
        }
        List<String> wrong = seen.entrySet().stream()
                .filter(e -> OUTCOMES.get(e.getKey()) == null || !e.getValue().contains(OUTCOMES.get(e.getKey())))
                .map(e -> "file " + e.getKey() + ": expected " + OUTCOMES.get(e.getKey()) + ", got " + e.getValue())
                .toList();
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /** Loads, giving every variable the file needs but leaves unset (a .env of its project) a value. */
    private static ComposeProject loadFillingVariables(Path file, Map<String, String> env) {
        for (int attempt = 0; ; attempt++) {
            try {
                ComposeProject project = ComposeProject.load(List.of(file), env);
                if (project.warnings().isEmpty() || attempt > 0) {
                    return project;
                }
                for (String w : project.warnings()) {
                    Matcher m = Pattern.compile("the (\\w+) variable is not set").matcher(w);
                    if (m.find()) {
                        env.put(m.group(1), "1");
                    }
                }
            } catch (ComposeException e) {
                Matcher m = REQUIRED.matcher(e.getMessage());
                if (!m.find() || attempt > 20) {
                    throw e;
                }
                env.put(m.group(1), "1");
            }
        }
    }

    /** Converts; a secret, config or env file the compose file names is created (empty) and it tries again. */
    private static String convertMakingFiles(ComposeProject project, Path file, Map<String, String> env)
            throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                StackConverter.convert(project, "corpus", env);
                return "ok";
            } catch (ComposeException e) {
                Matcher missing = MISSING_FILE.matcher(e.getMessage());
                Matcher envFile = ENV_FILE.matcher(e.getMessage());
                Path create = missing.find() ? Path.of(missing.group(1)) : envFile.find() ? Path.of(envFile.group(1))
                        : null;
                Matcher fromEnv = Pattern.compile("comes from variable (\\w+)").matcher(e.getMessage());
                if (fromEnv.find()) {
                    env.put(fromEnv.group(1), "value");
                    continue;
                }
                if (create == null || !create.startsWith(file.getParent())) {
                    assertTrue(e.getMessage().startsWith(file.toString() + ":"), "error names the file: "
                            + e.getMessage());
                    return e.getMessage();
                }
                Files.createDirectories(create.getParent());
                Files.writeString(create, "K=v\n");
            }
        }
        throw new AssertionError("too many missing files in " + file);
    }

    private static Path locateCorpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/compat/compose");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
