package dev.orch.ctl.output;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints API messages as a JSON array (like {@code docker inspect}) in the protobuf JSON mapping:
 * camelCase field names, 64-bit numbers as strings, enums by name. Fields at their default value
 * are printed too, so a script can rely on every field being present.
 */
public final class JsonOutput {
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

    private JsonOutput() {
    }

    public static String array(List<? extends MessageOrBuilder> messages) {
        if (messages.isEmpty()) {
            return "[]\n";
        }
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < messages.size(); i++) {
            json.append(print(messages.get(i)).indent(2).stripTrailing());
            json.append(i < messages.size() - 1 ? ",\n" : "\n");
        }
        return json.append("]\n").toString();
    }

    public static void printArray(PrintWriter out, List<? extends MessageOrBuilder> messages) {
        out.print(array(messages));
        out.flush();
    }

    private static String print(MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            // Only Any fields with unknown types fail, and the API has none.
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
        }
    }
}
