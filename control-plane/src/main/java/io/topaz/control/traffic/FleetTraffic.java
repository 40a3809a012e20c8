package io.topaz.control.traffic;

import java.time.Instant;
import java.util.List;

/** Every live agent's gateway traffic from the latest poll ({@code at} null before the first), sorted by agent id. */
public record FleetTraffic(Instant at, List<AgentTraffic> agents) {

    public FleetTraffic {
        agents = List.copyOf(agents);
    }
}
