package dev.orch.ctl.container;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * orchctl's own terminal while {@code exec -t} is attached. Java cannot call tcsetattr, so this
 * runs {@code stty} on {@code /dev/tty}: raw and without echo while attached (keys, Ctrl-C
 * included, go to the command's terminal, which echoes and interprets them), restored on close
 * and by a shutdown hook when orchctl is ended by a signal.
 */
final class LocalTerminal implements AutoCloseable {
    private static final File TTY = new File("/dev/tty");

    private final String saved;
    private final Thread restoreOnExit;
    private boolean restored;

    private LocalTerminal(String saved) {
        this.saved = saved;
        this.restoreOnExit = new Thread(this::restore, "restore-terminal");
    }

    /** Whether orchctl's stdin and stdout are a terminal (System.console() says both). */
    static boolean interactive() {
        return System.console() != null;
    }

    /** The terminal's {rows, cols}, or {0, 0} when there is none or stty cannot tell. */
    static int[] size() {
        if (!interactive()) {
            return new int[] {0, 0};
        }
        try {
            String[] rc = stty("size").trim().split("\\s+");
            return new int[] {Integer.parseInt(rc[0]), Integer.parseInt(rc[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    /** Puts the terminal in raw mode without echo; close() restores what it was. */
    static LocalTerminal raw() throws IOException {
        LocalTerminal t = new LocalTerminal(stty("-g").trim());
        Runtime.getRuntime().addShutdownHook(t.restoreOnExit);
        stty("raw", "-echo");
        return t;
    }

    private synchronized void restore() {
        if (!restored) {
            restored = true;
            try {
                stty(saved);
            } catch (IOException e) {
                System.err.println("error: could not restore the terminal (" + e.getMessage() + "); run: stty sane");
            }
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook restores (a second time is harmless)
        }
    }

    private static String stty(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("stty " + String.join(" ", args) + " failed on /dev/tty");
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running stty", e);
        }
    }
}
