package dev.orch.ctl.image;

import dev.orch.ctl.CommandFailedException;
import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.UsageException;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.Image;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code orchctl image import FILE.tar [--name REF]}: like {@code docker load -i}. */
@Command(name = "import", aliases = "load", mixinStandardHelpOptions = true,
        description = "Import an image from a docker save or OCI archive into the cluster.")
final class ImageImportCommand implements Callable<Integer> {
    private final CtlContext context;

    @Parameters(index = "0", paramLabel = "FILE", description = "The archive (.tar).")
    String file;

    @Option(names = "--name", paramLabel = "REF",
            description = "Also tag the image with this reference, e.g. app:1.0.")
    String name;

    ImageImportCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (name != null && (name.isBlank() || name.chars().anyMatch(Character::isWhitespace))) {
            throw new UsageException("invalid --name \"" + name
                    + "\": use an image reference without spaces (e.g. app:1.0)");
        }
        Path archive = checkReadable(Path.of(file));
        try (ManagerConnection connection = context.connect()) {
            Image image = ImageUploader.upload(connection, archive, name);
            print(context.out(), image);
            return ExitCodes.OK;
        }
    }

    /** Checked before connecting, so a typo in the path is reported as that and nothing else. */
    static Path checkReadable(Path archive) {
        String fix = "; pass the path of a docker save or OCI archive (.tar)";
        if (!Files.exists(archive)) {
            throw new CommandFailedException("image archive " + archive + " does not exist" + fix);
        }
        if (Files.isDirectory(archive)) {
            throw new CommandFailedException("image archive " + archive + " is a directory" + fix);
        }
        if (!Files.isReadable(archive)) {
            throw new CommandFailedException("cannot read image archive " + archive
                    + ": permission denied; check its permissions or run as its owner");
        }
        try {
            if (Files.size(archive) == 0) {
                throw new CommandFailedException("image archive " + archive + " is empty" + fix);
            }
        } catch (IOException e) {
            throw ImageUploader.unreadable(archive, e);
        }
        return archive;
    }

    static void print(PrintWriter out, Image image) {
        if (image.getReferencesCount() == 0) {
            out.println("Loaded image ID: " + image.getMeta().getId());
        }
        for (String reference : image.getReferencesList()) {
            out.println("Loaded image: " + reference);
        }
        out.println("Digest: " + image.getMeta().getId());
        out.flush();
    }
}
