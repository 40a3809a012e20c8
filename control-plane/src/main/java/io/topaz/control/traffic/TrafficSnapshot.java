package io.topaz.control.traffic;

import java.time.Instant;
import java.util.List;

/**
 * The latest poll: when it ran, the seconds since the one before (0 after the first), how many live agents were
 * asked and how many answered, and every rule an answering agent counts, sorted by kind then rule.
 */
public record TrafficSnapshot(Instant at, double intervalSeconds, int agentsPolled, int agentsReporting,
                              List<RuleRate> rules) {

    public TrafficSnapshot {
        rules = List.copyOf(rules);
    }

    static TrafficSnapshot empty() {
        return new TrafficSnapshot(null, 0, 0, 0, List.of());
    }

    /** Live agents that did not answer the latest poll. */
    public int agentsNotReporting() {
        return agentsPolled - agentsReporting;
    }
}
