package dev.orch.ctl;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs orchctl in-process with captured output, as users' shells would see it. */
public record CtlRun(int exitCode, String out, String err) {

    public static CtlRun run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = OrchCtl.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, args);
        return new CtlRun(exitCode, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    /** The single error line, asserting there is exactly one. */
    public String errorLine() {
        String[] lines = err.split("\n");
        if (lines.length != 1 || !lines[0].startsWith("error: ")) {
            throw new AssertionError("expected one error line, got: " + err);
        }
        return lines[0];
    }
}
