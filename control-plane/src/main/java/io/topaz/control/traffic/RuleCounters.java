package io.topaz.control.traffic;

/**
 * One agent's counters for one rule, as its {@code /metrics} showed them at one scrape.
 *
 * @param passed         {@code topaz_traffic_decisions_total{outcome="passed"}}
 * @param blocked        {@code topaz_traffic_decisions_total{outcome="blocked"}}
 * @param fallback       {@code topaz_traffic_fallback_total}: decisions taken on the agent's local share because the
 *                       cluster-wide counter was unreachable
 * @param fallbackActive {@code topaz_traffic_fallback_active} is 1: the agent is deciding alone right now
 */
record RuleCounters(double passed, double blocked, double fallback, boolean fallbackActive) {

    static final RuleCounters ZERO = new RuleCounters(0, 0, 0, false);

    /** Both sets summed: the same rule under label sets that differ only in labels we do not read. */
    RuleCounters plus(RuleCounters o) {
        return new RuleCounters(passed + o.passed, blocked + o.blocked, fallback + o.fallback,
                fallbackActive || o.fallbackActive);
    }
}
