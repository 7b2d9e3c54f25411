package dev.orch.ctl.container;

import com.google.protobuf.ByteString;
import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.ExecInput;
import dev.orch.proto.ExecOutput;
import dev.orch.proto.ExecStart;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code orchctl exec [-i] [-t] TASK -- COMMAND...}: runs a command in a running task's container
 * and exits with its exit code, like {@code docker exec}. Output (stdout and stderr merged) is
 * relayed as it comes; with {@code -i} standard input is forwarded until it ends; with {@code -t}
 * the command gets a pseudo-terminal of the local terminal's size, and {@code -it} on a terminal
 * puts it in raw mode while attached.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = "Run a command in a running task's container.",
        footer = {"", "Exit code: the command's; 126/127 if it could not be run; 1 if orchctl failed, "
                + "2 for a usage error (as docker exec)."})
public final class ExecCommand implements Callable<Integer> {
    private static final int STDIN_CHUNK = 16 * 1024;

    private final CtlContext context;

    @Option(names = {"-i", "--interactive"}, description = "Forward standard input to the command.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal (its size is the local"
            + " terminal's at start; later resizes are not passed on).")
    boolean tty;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set an environment variable.")
    List<String> env = List.of();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container.")
    String workdir = "";

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
            description = "Run as this user (name or uid), default the container's.")
    String user = "";

    @Parameters(index = "0", paramLabel = "TASK", description = "Task id or unique id prefix (see service ps).")
    String task;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    List<String> command;

    ExecCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        // After TASK everything is positional (stop-at-positional), so a "--" arrives here.
        List<String> argv = !command.isEmpty() && command.get(0).equals("--") ? command.subList(1, command.size()) : command;
        if (argv.isEmpty()) {
            throw new UsageException("no command given: orchctl exec TASK -- COMMAND [ARG...]");
        }
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new UsageException("invalid --env \"" + e + "\": use KEY=VALUE");
            }
        }
        ExecStart.Builder start = ExecStart.newBuilder().setTask(task).addAllCommand(argv).setStdin(interactive)
                .addAllEnv(env).setWorkdir(workdir).setUser(user).setTty(tty);
        // Only orchctl's real terminal is sized and made raw (not an in-process caller's streams).
        boolean localTerminal = tty && context.in() == System.in && LocalTerminal.interactive();
        if (localTerminal) {
            int[] size = LocalTerminal.size();
            start.setTtyRows(size[0]).setTtyCols(size[1]);
        }
        try (ManagerConnection connection = context.connect()) {
            if (!(localTerminal && interactive)) {
                return run(connection, start.build());
            }
            try (LocalTerminal raw = rawTerminal()) {
                return run(connection, start.build());
            }
        }
    }

    private static LocalTerminal rawTerminal() {
        try {
            return LocalTerminal.raw();
        } catch (java.io.IOException e) {
            throw new CommandFailedException("cannot put the terminal in raw mode: " + e.getMessage()
                    + "; run without -t, or from a terminal where stty works", e);
        }
    }

    private int run(ManagerConnection connection, ExecStart start) {
        OutputStream out = context.rawOut();
        context.out().flush();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        StreamObserver<ExecInput> requests = connection.interactiveStub().exec(new ClientResponseObserver<ExecInput, ExecOutput>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ExecInput> call) {
                // nothing to configure: gRPC's default flow control is enough for a terminal
            }

            @Override
            public void onNext(ExecOutput o) {
                try {
                    if (o.hasExit()) {
                        out.flush();
                        exit.complete(o.getExit().getExitCode());
                    } else {
                        o.getOutput().writeTo(out);
                        out.flush();
                    }
                } catch (IOException e) {
                    exit.completeExceptionally(new CommandFailedException("writing the output: " + e.getMessage(), e));
                }
            }

            @Override
            public void onError(Throwable t) {
                exit.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                exit.completeExceptionally(new CommandFailedException(
                        "the manager ended the exec without the command's exit code; retry"));
            }
        });
        requests.onNext(ExecInput.newBuilder().setStart(start).build());
        if (interactive) {
            Thread pump = new Thread(() -> forwardStdin(requests, exit), "exec-stdin");
            pump.setDaemon(true);
            pump.start();
        } else {
            requests.onCompleted();
        }
        try {
            return exit.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandFailedException c) {
                throw c;
            }
            throw connection.failure(e.getCause(), Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requests.onError(e);
            throw new CommandFailedException("interrupted", e);
        }
    }

    /** Sends standard input in chunks, then its end; stops early once the command has exited. */
    private void forwardStdin(StreamObserver<ExecInput> requests, CompletableFuture<Integer> exit) {
        InputStream in = context.in();
        byte[] buf = new byte[STDIN_CHUNK];
        try {
            for (int n = in.read(buf); n >= 0 && !exit.isDone(); n = in.read(buf)) {
                synchronized (requests) {
                    requests.onNext(ExecInput.newBuilder().setStdin(ByteString.copyFrom(buf, 0, n)).build());
                }
            }
        } catch (IOException e) {
            // standard input failed: the command gets its end, as if it had ended
        }
        synchronized (requests) {
            if (!exit.isDone()) {
                requests.onNext(ExecInput.newBuilder().setCloseStdin(true).build());
                requests.onCompleted();
            }
        }
    }
}
