package dev.orch.ctl.image;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.ExitCodes;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.HumanSize;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.ctl.output.Table;
import dev.orch.proto.Image;
import dev.orch.proto.ListImagesRequest;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code orchctl image ls}: one row per reference, newest first, like docker. IMAGE ID is the
 * config digest, as docker's image id is; the manifest digest is what import prints and inspect
 * shows as meta.id.
 */
@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
        description = "List the images in the cluster's image store, or (--node, --nodes) the images the nodes"
                + " pulled for their tasks.")
final class ImageListCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    @picocli.CommandLine.Option(names = "--node", paramLabel = "NODE",
            description = "List the images this node pulled for its tasks (id, id prefix or hostname).")
    String node;

    @picocli.CommandLine.Option(names = "--nodes", description = "List the images of every ready node.")
    boolean nodes;

    ImageListCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean json = format.json();
        if (node != null && nodes) {
            throw new dev.orch.ctl.UsageException("--node and --nodes exclude each other: give one node or all");
        }
        if (node != null || nodes) {
            return NodeImageCommands.list(context, node == null ? "" : node, json);
        }
        try (ManagerConnection connection = context.connect()) {
            List<Image> images = connection.call(control ->
                    control.listImages(ListImagesRequest.getDefaultInstance())).getImagesList()
                    .stream()
                    .sorted(Comparator.comparingLong((Image i) -> i.getMeta().getCreatedAtMs())
                            .reversed().thenComparing(i -> i.getMeta().getId()))
                    .toList();
            if (json) {
                JsonOutput.printArray(context.out(), images);
            } else {
                table(images).print(context.out());
            }
            return ExitCodes.OK;
        }
    }

    static Table table(List<Image> images) {
        Table table = new Table("REPOSITORY", "TAG", "IMAGE ID", "SIZE");
        for (Image image : images) {
            String id = imageId(image);
            String size = HumanSize.of(image.getSizeBytes());
            if (image.getReferencesCount() == 0) {
                table.row(ImageReference.NONE, ImageReference.NONE, id, size);
            }
            for (String reference : image.getReferencesList().stream().sorted().toList()) {
                ImageReference parsed = ImageReference.parse(reference);
                table.row(parsed.repository(), parsed.tag(), id, size);
            }
        }
        return table;
    }

    /** 12 hex digits of the config digest (else the manifest digest), without "sha256:". */
    static String imageId(Image image) {
        String digest = image.getConfigDigest().isEmpty()
                ? image.getMeta().getId() : image.getConfigDigest();
        String hex = digest.substring(digest.indexOf(':') + 1);
        return hex.length() <= 12 ? hex : hex.substring(0, 12);
    }
}
