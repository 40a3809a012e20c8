package io.topaz.control.traffic;

/**
 * One rule's live rates, summed over the agents that reported.
 *
 * @param passedPerSecond   requests the rule let through, per second over the last poll interval
 * @param blockedPerSecond  requests it refused
 * @param fallbackPerSecond decisions taken on agents' local shares because Redis was unreachable
 * @param passedTotal       the agents' passed counters summed (since each agent started)
 * @param blockedTotal      the agents' blocked counters summed
 * @param agentsInFallback  agents deciding on their local share right now
 */
public record RuleRate(String kind, String rule, double passedPerSecond, double blockedPerSecond,
                       double fallbackPerSecond, double passedTotal, double blockedTotal, int agentsInFallback) {
}
