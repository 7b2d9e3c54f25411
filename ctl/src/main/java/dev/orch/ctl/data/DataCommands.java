package dev.orch.ctl.data;

import com.google.protobuf.ByteString;
import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.DisplayNames;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.HumanDuration;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.output.Table;
import dev.orch.ctl.parse.LabelChanges;
import dev.orch.proto.DataSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands both {@code secret} and {@code config} have; each kind subclasses them. */
final class DataCommands {
    /** The manager refuses more; reading stops just past it so a huge file is not read whole. */
    static final int MAX_BYTES = 500 * 1024;

    private DataCommands() {
    }

    abstract static class Create implements Callable<Integer> {
        private final CtlContext context;
        private final DataKindClient kind;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Add a label.")
        List<String> labels = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "NAME", description = "Name.")
        String name;

        @Parameters(index = "1", paramLabel = "FILE", description = "File with the data, or - for standard input.")
        String file;

        Create(CtlContext context, DataKindClient kind) {
            this.context = context;
            this.kind = kind;
        }

        @Override
        public Integer call() {
            var parsed = LabelChanges.parse(labels, List.of());
            ByteString data = read(kind.noun, file);
            DataSpec spec = DataSpec.newBuilder().setName(name).putAllLabels(parsed.add()).setData(data).build();
            try (ManagerConnection connection = context.connect()) {
                context.out().println(kind.create(connection, spec).meta().getId());
                return ExitCodes.OK;
            }
        }
    }

    /** Reads at most one byte past the limit, so that the manager's size check names the real problem. */
    static ByteString read(String noun, String file) {
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new UsageException(noun + " file " + file + " is larger than " + MAX_BYTES
                        + " bytes (500 KiB): store large files in a volume");
            }
            return ByteString.copyFrom(bytes);
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read " + noun + " file " + file + ": no such file; give an existing"
                    + " file or - for standard input");
        } catch (IOException e) {
            throw new CommandFailedException("cannot read " + noun + " file " + file + ": " + e.getMessage(), e);
        }
    }

    abstract static class List_ implements Callable<Integer> {
        private final CtlContext context;
        private final DataKindClient kind;

        @Mixin
        FormatOption format;

        List_(CtlContext context, DataKindClient kind) {
            this.context = context;
            this.kind = kind;
        }

        @Override
        public Integer call() {
            boolean json = format.json();
            try (ManagerConnection connection = context.connect()) {
                var entries = kind.list(connection);
                if (json) {
                    JsonOutput.printArray(context.out(), entries.stream().map(DataKindClient.Entry::message).toList());
                    return ExitCodes.OK;
                }
                Table table = new Table("ID", "NAME", "SIZE", "CREATED", "UPDATED");
                var now = context.clock().instant();
                for (var e : entries) {
                    table.row(DisplayNames.shortId(e.meta().getId()), e.spec().getName(), e.size() + " B",
                            HumanDuration.ago(e.meta().getCreatedAtMs(), now),
                            HumanDuration.ago(e.meta().getUpdatedAtMs(), now));
                }
                table.print(context.out());
                return ExitCodes.OK;
            }
        }
    }

    abstract static class Inspect implements Callable<Integer> {
        private final CtlContext context;
        private final DataKindClient kind;

        @Mixin
        FormatOption format;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Name, id or id prefix.")
        List<String> names;

        Inspect(CtlContext context, DataKindClient kind) {
            this.context = context;
            this.kind = kind;
        }

        @Override
        public Integer call() {
            format.requireJson();
            try (ManagerConnection connection = context.connect()) {
                List<com.google.protobuf.MessageOrBuilder> found = new ArrayList<>();
                int exit = PerTarget.run(context.err(), names, n -> found.add(kind.get(connection, n).message()));
                JsonOutput.printArray(context.out(), found);
                return exit;
            }
        }
    }

    abstract static class Remove implements Callable<Integer> {
        private final CtlContext context;
        private final DataKindClient kind;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Name, id or id prefix.")
        List<String> names;

        Remove(CtlContext context, DataKindClient kind) {
            this.context = context;
            this.kind = kind;
        }

        @Override
        public Integer call() {
            try (ManagerConnection connection = context.connect()) {
                return PerTarget.run(context.err(), names, n -> {
                    kind.remove(connection, n);
                    context.out().println(n);
                    context.out().flush();
                });
            }
        }
    }
}
