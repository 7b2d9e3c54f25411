package dev.orch.ctl.stack;

import dev.orch.proto.StackChange;
import java.io.PrintWriter;
import java.util.List;

/** Prints what a deploy or removal did (or, for a dry run, would do), one line per object. */
final class StackChanges {
    private StackChanges() {
    }

    static void print(PrintWriter out, List<StackChange> changes, boolean dryRun) {
        int unchanged = 0;
        for (StackChange c : changes) {
            String verb = switch (c.getAction()) {
                case "create" -> dryRun ? "Would create" : "Creating";
                case "update" -> dryRun ? "Would update" : "Updating";
                case "remove" -> dryRun ? "Would remove" : "Removing";
                default -> null;
            };
            if (verb == null) {
                unchanged++;
            } else {
                out.println(verb + " " + c.getKind() + " " + c.getName());
            }
        }
        if (unchanged > 0) {
            out.println(unchanged + (unchanged == 1 ? " object" : " objects") + " unchanged");
        }
        out.flush();
    }
}
