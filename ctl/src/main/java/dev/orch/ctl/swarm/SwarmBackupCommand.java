package dev.orch.ctl.swarm;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.BackupChunk;
import dev.orch.proto.BackupRequest;
import dev.orch.proto.ControlGrpc;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl swarm backup FILE}: a consistent copy of the whole cluster state, streamed from a
 * manager into FILE (written to a temporary file first, so FILE is either complete or untouched).
 * Restore it with {@code orchd restore}.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Write a backup of the cluster state to FILE (restore with orchd restore).")
final class SwarmBackupCommand implements Callable<Integer> {
    private final CtlContext context;

    @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the backup.")
    Path file;

    SwarmBackupCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        try (ManagerConnection connection = context.connect()) {
            String hash = "";
            long bytes = 0;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                Iterator<BackupChunk> chunks = connection.call(control -> control
                        .withDeadlineAfter(ManagerConnection.IMPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .backup(BackupRequest.getDefaultInstance()));
                while (chunks.hasNext()) {
                    BackupChunk c = chunks.next();
                    c.getData().writeTo(out);
                    bytes += c.getData().size();
                    if (!c.getStateHash().isEmpty()) {
                        hash = c.getStateHash();
                    }
                }
            } catch (StatusRuntimeException e) {
                throw connection.failure(e, ManagerConnection.IMPORT_TIMEOUT);
            }
            if (hash.isEmpty()) {
                throw new CommandFailedException("the backup stream ended early; " + target + " was not written");
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            context.out().println("backup written to " + target + " (" + bytes + " bytes, state " + hash + ")");
            return ExitCodes.OK;
        } catch (IOException e) {
            throw new CommandFailedException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do about a leftover partial file
            }
        }
    }
}
