package dev.orch.ctl.compose;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The compose loader reads files users write by hand. Whatever the bytes, loading, printing (stack
 * config) and converting (stack deploy) either succeed or refuse with a ComposeException naming
 * the file, line and column (or, for bytes that are not UTF-8, a usage error naming the file); any
 * other exception, or a hang, is a finding.
 */
class ComposeLoaderFuzzTest {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("compose-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void load(byte[] input) throws IOException {
        Path file = Files.write(DIR.resolve("stack.yml"), input);
        try {
            ComposeProject project = ComposeProject.load(List.of(file), Map.of());
            ComposeWriter.write(project.root());
            StackConverter.convert(project, "fuzz", Map.of());
        } catch (ComposeException refused) {
            assertTrue(refused.getMessage().startsWith(file + ":"), refused.getMessage());
        } catch (dev.orch.ctl.UsageException refused) {
            // a file that is not text at all has no line to point at, but is named
            assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
        }
    }
}
