package dev.orch.ctl.events;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.orch.proto.ClusterEvent;
import java.time.Instant;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** One event as a line: docker's "TIME TYPE ACTION ID (key=value, ...)", or one JSON object. */
final class EventLines {
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private EventLines() {
    }

    static String text(ClusterEvent e) {
        StringJoiner attributes = new StringJoiner(", ", " (", ")").setEmptyValue("");
        for (Map.Entry<String, String> a : new TreeMap<>(e.getAttributesMap()).entrySet()) {
            attributes.add(a.getKey() + "=" + a.getValue());
        }
        return Instant.ofEpochMilli(e.getTimeMs()) + " " + e.getType() + " " + e.getAction() + " " + e.getId()
                + attributes;
    }

    static String json(ClusterEvent e) {
        try {
            return JSON.print(e);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("cannot print an event", ex);
        }
    }
}
