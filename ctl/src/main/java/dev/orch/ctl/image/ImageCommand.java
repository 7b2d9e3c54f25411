package dev.orch.ctl.image;

import dev.orch.ctl.CommandGroup;
import picocli.CommandLine.Command;

/** Groups the image subcommands. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Manage images.",
        subcommands = {ImageImportCommand.class, ImageListCommand.class, NodeImageCommands.Remove.class,
            NodeImageCommands.Prune.class})
public final class ImageCommand extends CommandGroup {
}
