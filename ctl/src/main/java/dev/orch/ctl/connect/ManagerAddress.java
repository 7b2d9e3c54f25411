package dev.orch.ctl.connect;

import dev.orch.ctl.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The manager's Control API address, and where it is found: {@code --host}, else ORCH_HOST, else
 * the host file {@code $ORCH_CONFIG_DIR/host} (default {@code ~/.orch/host}) that
 * {@code orchd init} writes as one line {@code IP:PORT}.
 */
public record ManagerAddress(String host, int port) {
    static final String NO_ADDRESS =
            "no manager address: pass --host, set ORCH_HOST, or run orchd init on this machine";

    /** Resolves the address in precedence order; a missing or malformed one is a usage error. */
    public static ManagerAddress discover(String hostOption, Map<String, String> env) {
        if (hostOption != null) {
            return parse(hostOption, "--host", "");
        }
        String fromEnv = env.get("ORCH_HOST");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return parse(fromEnv, "ORCH_HOST", "");
        }
        Path file = hostFile(env);
        String content = readHostFile(file);
        if (content == null) {
            throw new UsageException(NO_ADDRESS);
        }
        return parse(content, file.toString(), "; rerun orchd init or pass --host");
    }

    /**
     * {@code $ORCH_CONFIG_DIR/host}, else {@code ~/.orch/host} with the home directory Java reports
     * (the account's, not $HOME), which is where orchd init writes it.
     */
    public static Path hostFile(Map<String, String> env) {
        return configDir(env).resolve("host");
    }

    /**
     * {@code $ORCH_CONFIG_DIR}, else {@code ~/.orch}: where orchd init writes the host file and the
     * admin bundle ({@link ClientTls}).
     */
    public static Path configDir(Map<String, String> env) {
        String configDir = env.get("ORCH_CONFIG_DIR");
        if (configDir != null && !configDir.isBlank()) {
            return Path.of(configDir);
        }
        return Path.of(System.getProperty("user.home"), ".orch");
    }

    /** The first non-blank line of the host file, or null when there is no such file. */
    private static String readHostFile(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(line -> !line.isEmpty()).findFirst().orElse(null);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UsageException("cannot read the manager address from " + file + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); pass --host or set ORCH_HOST");
        }
    }

    /**
     * Parses {@code HOST:PORT} or {@code [IPv6]:PORT}; {@code origin} names where the value came
     * from so the error points at what to fix.
     */
    public static ManagerAddress parse(String value, String origin, String hint) {
        String text = value.strip();
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            host = close < 0 ? "" : text.substring(1, close);
            port = close < 0 ? "" : text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            host = colon < 0 ? "" : text.substring(0, colon);
            port = colon < 0 ? "" : text.substring(colon + 1);
        }
        if (host.isEmpty() || (host.contains(":") && !text.startsWith("[")) || !validPort(port)) {
            String where = origin.startsWith("-") || origin.equals("ORCH_HOST") ? " from " : " in ";
            throw new UsageException("invalid manager address \"" + value.strip() + "\"" + where
                    + origin + ": use HOST:PORT (e.g. 10.0.0.1:4242, [fd00::1]:4242)" + hint);
        }
        return new ManagerAddress(host, Integer.parseInt(port));
    }

    private static boolean validPort(String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int number = Integer.parseInt(port);
        return number >= 1 && number <= 65535;
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
