package dev.orch.ctl.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerAddress;
import dev.orch.proto.RegistryAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials per registry, in docker's {@code config.json} layout ({@code {"auths": {"HOST":
 * {"auth": base64(user:password)}}}}): orchctl keeps its own in {@code
 * $ORCH_CONFIG_DIR/registries.json} (mode 0600) and falls back to docker's {@code
 * $DOCKER_CONFIG/config.json} (default {@code ~/.docker/config.json}), so a {@code docker login}
 * works too. Docker credential helpers ({@code credsStore}) are not read.
 */
public final class RegistryCredentials {
    static final String FILE = "registries.json";
    /** The key docker's config uses for Docker Hub. */
    private static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;

    public RegistryCredentials(Map<String, String> env) {
        this.env = env;
    }

    /**
     * The registry an image reference names: its first component when that looks like a host
     * (has a '.' or ':' or is localhost), else Docker Hub, {@code docker.io}.
     */
    public static String registryOf(String image) {
        int slash = image.indexOf('/');
        if (slash > 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return first.equals("index.docker.io") ? "docker.io" : first;
            }
        }
        return "docker.io";
    }

    Path orchFile() {
        return ManagerAddress.configDir(env).resolve(FILE);
    }

    private Path dockerFile() {
        String dir = env.get("DOCKER_CONFIG");
        return (dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".docker"))
                .resolve("config.json");
    }

    /** The credentials for {@code registry} ({@code host[:port]}), for --with-registry-auth. */
    public RegistryAuth forRegistry(String registry) {
        for (Path file : List.of(orchFile(), dockerFile())) {
            Optional<RegistryAuth> found = read(file, registry);
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new UsageException("--with-registry-auth: no credentials for registry " + registry + " in "
                + orchFile() + " or " + dockerFile() + "; log in first: orchctl registry login " + registry);
    }

    private static Optional<RegistryAuth> read(Path file, String registry) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode auths = load(file).path("auths");
        for (String key : keys(registry)) {
            String encoded = auths.path(key).path("auth").asText("");
            if (encoded.isEmpty()) {
                continue;
            }
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new UsageException("the credentials for " + key + " in " + file
                        + " are not base64; log in again: orchctl registry login " + registry);
            }
            int colon = pair.indexOf(':');
            if (colon < 0) {
                throw new UsageException("the credentials for " + key + " in " + file
                        + " are not USER:PASSWORD; log in again: orchctl registry login " + registry);
            }
            return Optional.of(RegistryAuth.newBuilder().setRegistry(registry)
                    .setUsername(pair.substring(0, colon)).setPassword(pair.substring(colon + 1)).build());
        }
        return Optional.empty();
    }

    private static List<String> keys(String registry) {
        return registry.equals("docker.io")
                ? List.of("docker.io", DOCKER_HUB_KEY, "index.docker.io", "registry-1.docker.io")
                : List.of(registry, "https://" + registry, "http://" + registry);
    }

    private static JsonNode load(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return n == null ? JSON.createObjectNode() : n;
        } catch (IOException e) {
            throw new CommandFailedException("cannot read " + file + ": " + e.getMessage()
                    + "; fix or remove the file");
        }
    }

    /** Stores {@code username}/{@code password} for {@code registry}, replacing what was there. */
    void store(String registry, String username, String password) {
        String auth = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        update(root -> ((ObjectNode) root.with("auths")).putObject(registry).put("auth", auth));
    }

    /** Removes the credentials of {@code registry}; whether there were any. */
    boolean remove(String registry) {
        boolean[] removed = {false};
        if (Files.isRegularFile(orchFile())) {
            update(root -> removed[0] = ((ObjectNode) root.with("auths")).remove(registry) != null);
        }
        return removed[0];
    }

    private void update(java.util.function.Consumer<ObjectNode> change) {
        Path file = orchFile();
        JsonNode current = Files.isRegularFile(file) ? load(file) : JSON.createObjectNode();
        if (!current.isObject()) {
            throw new CommandFailedException(file + " is not a JSON object; fix or remove it");
        }
        ObjectNode root = (ObjectNode) current;
        change.accept(root);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), FILE, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CommandFailedException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
