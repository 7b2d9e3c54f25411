package dev.orch.ctl.compose;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service's environment: its env_file(s) in order, then environment over them. A variable
 * without a value takes this shell's value, and is left out when the shell has none.
 */
final class ServiceEnvironment {
    private ServiceEnvironment() {
    }

    static List<String> of(StackConverter converter, String service, YamlNode node) {
        Map<String, String> env = new LinkedHashMap<>();
        if (node.has("env_file") && !node.get("env_file").isNull()) {
            YamlNode files = node.get("env_file");
            for (YamlNode item : files.isList() ? files.items() : List.of(files)) {
                readEnvFile(converter, service, item, env);
            }
        }
        if (node.has("environment")) {
            env.putAll(Values.keyValues("environment", node.get("environment")));
        }
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> {
            String value = v != null ? v : converter.environment().get(k);
            if (value != null) {
                out.add(k + "=" + value);
            }
        });
        return out;
    }

    private static void readEnvFile(StackConverter converter, String service, YamlNode item,
            Map<String, String> env) {
        YamlNode pathNode = item;
        boolean required = true;
        if (item.isMap()) {
            pathNode = item.get("path");
            if (pathNode == null) {
                throw new ComposeException(item.position(), "env_file of service " + service + " has no path");
            }
            if (item.has("required")) {
                required = Values.bool("env_file.required", item.get("required"));
            }
        }
        Path file = converter.path(Values.string("env_file", pathNode));
        if (!Files.isRegularFile(file)) {
            if (!required) {
                return;
            }
            throw new ComposeException(pathNode.position(), "env_file " + file + " of service " + service
                    + " does not exist; create it or fix the path");
        }
        List<String> lines = ComposeProject.readLines(file);
        for (String line : lines) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#") && !t.contains("=")) {
                env.put(t, null);  // a bare name passes this shell's value
            }
        }
        env.putAll(Interpolation.parseEnvFile(file.toString(), lines));
    }
}
