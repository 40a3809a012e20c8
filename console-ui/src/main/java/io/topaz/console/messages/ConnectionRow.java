package io.topaz.console.messages;

import io.topaz.console.controlplane.PushConnections;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** One push connection as the Messages screen lists it. */
public record ConnectionRow(String agentId, String id, String app, String group, String remote, String since,
                            long inFlight, long pushed, long confirmed) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    static ConnectionRow of(PushConnections.Connection c, ZoneId zone) {
        String since = c.sinceMillis() <= 0 ? "—" : TIME.format(Instant.ofEpochMilli(c.sinceMillis()).atZone(zone));
        return new ConnectionRow(c.agentId(), c.id(), c.app(), c.group(), c.remote(), since, c.inFlight(), c.pushed(),
                c.confirmed());
    }

    /** {@code agent-1/7}: the agent and the connection's id there. */
    public String key() {
        return agentId + "/" + id;
    }
}
