package io.topaz.model.fleet;

import java.util.Map;

/**
 * What a live agent publishes about itself in its ephemeral ZooKeeper node.
 *
 * @param ports           engine name ({@code admin}, {@code gateway}, {@code broker}) to port, for the engines it runs
 * @param appliedRelease  the release whose snapshot it serves; 0 before the first
 * @param appliedAtMillis when it applied that release
 */
public record AgentInfo(String id, String zone, String cluster, String host, Map<String, Integer> ports,
                        String version, long startedAtMillis, long appliedRelease, long appliedAtMillis) {

    public AgentInfo {
        ports = ports == null ? Map.of() : Map.copyOf(ports);
    }

    public AgentInfo withApplied(long release, long atMillis) {
        return new AgentInfo(id, zone, cluster, host, ports, version, startedAtMillis, release, atMillis);
    }
}
