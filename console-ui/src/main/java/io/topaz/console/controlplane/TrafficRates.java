package io.topaz.console.controlplane;

import java.util.List;

/**
 * The control plane's latest poll of the agents' traffic-control counters ({@code GET /api/v1/traffic/rates}).
 *
 * @param at              when the poll ran (ISO-8601), null before the first
 * @param intervalSeconds the seconds the rates are measured over (0 until the second poll)
 */
public record TrafficRates(String at, double intervalSeconds, int agentsPolled, int agentsReporting,
                           List<Rule> rules) {

    public TrafficRates {
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    /**
     * One rule summed over the agents that answered.
     *
     * @param kind             {@code flow}, {@code quota} or {@code overload} (whose rule is a priority tier)
     * @param agentsInFallback agents deciding on their local share because Redis is unreachable
     */
    public record Rule(String kind, String rule, double passedPerSecond, double blockedPerSecond,
                       double fallbackPerSecond, double passedTotal, double blockedTotal, int agentsInFallback) {
    }
}
