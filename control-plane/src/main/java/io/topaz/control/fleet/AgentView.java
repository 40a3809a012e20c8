package io.topaz.control.fleet;

import io.topaz.model.fleet.AgentInfo;

import java.time.Instant;
import java.util.Map;

/**
 * A live agent as operators see it: where it runs, since when, and whether it lags the live release.
 *
 * @param releasesBehind how many releases the agent's applied one is behind the live one (0 when current)
 */
public record AgentView(String id, String zone, String cluster, String host, Map<String, Integer> ports, String version,
                        String startedAt, long appliedRelease, String appliedAt, long releasesBehind, boolean lagging) {

    static AgentView of(AgentInfo a, long liveRelease) {
        long behind = Math.max(0, liveRelease - a.appliedRelease());
        return new AgentView(a.id(), a.zone(), a.cluster(), a.host(), a.ports(), a.version(),
                Instant.ofEpochMilli(a.startedAtMillis()).toString(), a.appliedRelease(),
                a.appliedAtMillis() == 0 ? null : Instant.ofEpochMilli(a.appliedAtMillis()).toString(), behind, behind > 0);
    }
}
