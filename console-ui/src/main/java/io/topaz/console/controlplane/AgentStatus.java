package io.topaz.console.controlplane;

import java.util.Map;

/**
 * One live agent as the fleet view reports it ({@code GET /api/v1/agents}).
 *
 * @param ports          engine name ({@code admin}, {@code gateway}, {@code broker}) to port
 * @param releasesBehind how many releases its applied one is behind the live one
 */
public record AgentStatus(String id, String zone, String cluster, String host, Map<String, Integer> ports,
                          String version, String startedAt, long appliedRelease, String appliedAt, long releasesBehind,
                          boolean lagging) {

    public AgentStatus {
        ports = ports == null ? Map.of() : Map.copyOf(ports);
    }

    /** The admin port serving {@code /health} and {@code /metrics}, or 0 when the agent did not publish one. */
    public int adminPort() {
        return ports.getOrDefault("admin", 0);
    }
}
