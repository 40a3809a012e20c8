package io.topaz.console.controlplane;

import java.util.List;

/**
 * The push (WebSocket) connections of every broker agent ({@code GET /api/v1/messages/connections}).
 *
 * @param unreachable agents that did not answer: their connections are missing from this answer
 */
public record PushConnections(String at, long atMillis, List<Connection> connections, List<String> unreachable) {

    public PushConnections {
        connections = connections == null ? List.of() : List.copyOf(connections);
        unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
    }

    /**
     * One connection on its agent: {@code id} is its id there; {@code inFlight} pushed and not yet confirmed or failed.
     */
    public record Connection(String agentId, String id, String app, String group, String remote, String since,
                             long sinceMillis, long inFlight, long pushed, long confirmed) {
    }

    /** What {@code DELETE /api/v1/messages/connections/{agent}/{id}} did: false when it was already closed. */
    public record Disconnected(String agentId, String id, boolean disconnected) {
    }
}
