package dev.orch.ctl;

import dev.orch.ctl.connect.RpcFailedException;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one action per named target (rm a b c, scale a=1 b=2) as docker does: a target that fails
 * gets its own error line and the rest still run; the exit code says whether any failed. An
 * unreachable manager, or one that refuses this client's certificate, stops the loop, since every
 * other target would fail the same way.
 */
public final class PerTarget {
    private PerTarget() {
    }

    public static <T> int run(PrintWriter err, List<T> targets, Consumer<T> action) {
        int exitCode = ExitCodes.OK;
        for (T target : targets) {
            try {
                action.accept(target);
            } catch (RpcFailedException e) {
                if (e.affectsEveryCall()) {
                    throw e;
                }
                exitCode = reportOne(err, e);
            } catch (CommandFailedException e) {
                exitCode = reportOne(err, e);
            }
        }
        return exitCode;
    }

    private static int reportOne(PrintWriter err, CommandFailedException e) {
        err.println("error: " + ErrorReporter.oneLine(e.getMessage()));
        err.flush();
        return ExitCodes.FAILURE;
    }
}
