package dev.orch.ctl.compose;

import dev.orch.ctl.UsageException;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One or more compose files loaded, interpolated and merged: what {@code stack config} prints and
 * {@code stack deploy} converts. Variables come from the environment, then from {@code .env} in
 * the first file's directory (the environment wins). Relative paths in the files are relative to
 * that directory too.
 */
public final class ComposeProject {
    /** Compose files this large are not stack files; refusing them bounds memory and parse time. */
    static final long MAX_FILE_BYTES = 8L << 20;

    private final YamlNode root;
    private final Path directory;
    private final List<String> warnings;

    private ComposeProject(YamlNode root, Path directory, List<String> warnings) {
        this.root = root;
        this.directory = directory;
        this.warnings = warnings;
    }

    public YamlNode root() {
        return root;
    }

    /** Where relative paths (env_file, secret and config files) are resolved. */
    public Path directory() {
        return directory;
    }

    public List<String> warnings() {
        return warnings;
    }

    public static ComposeProject load(List<Path> files, Map<String, String> environment) {
        if (files.isEmpty()) {
            throw new UsageException("no compose file given: use -c FILE (e.g. -c docker-compose.yml)");
        }
        Path directory = files.get(0).toAbsolutePath().getParent();
        Map<String, String> variables = new HashMap<>();
        Path dotEnv = directory.resolve(".env");
        if (Files.isRegularFile(dotEnv)) {
            variables.putAll(Interpolation.parseEnvFile(dotEnv.toString(), readLines(dotEnv)));
        }
        variables.putAll(environment);
        Interpolation interpolation = new Interpolation(variables::get);
        YamlNode merged = null;
        for (Path file : files) {
            YamlNode document = YamlReader.read(file.toString(), read(file));
            if (!document.isMap()) {
                throw new ComposeException(document.position(), "a compose file must be a mapping with a services key");
            }
            YamlNode interpolated = interpolation.apply(document);
            merged = merged == null ? interpolated : ComposeMerge.merge(merged, interpolated);
        }
        List<String> warnings = new ArrayList<>();
        for (String name : interpolation.unsetVariables()) {
            warnings.add("the " + name + " variable is not set; defaulting to a blank string");
        }
        return new ComposeProject(merged, directory, warnings);
    }

    static String read(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new UsageException("compose file " + file + " is larger than 8 MiB; is it a compose file?");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("compose file " + file + " does not exist; give the path of a compose file");
        } catch (MalformedInputException e) {
            throw new UsageException("compose file " + file + " is not UTF-8 text; save it as UTF-8");
        } catch (IOException e) {
            throw new UsageException("cannot read compose file " + file + ": " + e.getMessage());
        }
    }

    static List<String> readLines(Path file) {
        return read(file).lines().toList();
    }
}
