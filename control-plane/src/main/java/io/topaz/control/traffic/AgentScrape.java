package io.topaz.control.traffic;

import java.util.Map;
import java.util.Optional;

/**
 * What one poll learnt from one live agent.
 *
 * @param startedAtMillis when the agent says it started (from its registration): a new value means it restarted and
 *                        its counters began again from zero
 * @param counters        its counters, or empty when it did not answer
 */
record AgentScrape(long startedAtMillis, Optional<AgentCounters> counters) {

    static AgentScrape answered(long startedAtMillis, Map<RuleKey, RuleCounters> rules) {
        return answered(startedAtMillis, rules, GatewayCounters.IDLE);
    }

    static AgentScrape answered(long startedAtMillis, Map<RuleKey, RuleCounters> rules, GatewayCounters gateway) {
        return new AgentScrape(startedAtMillis, Optional.of(new AgentCounters(rules, gateway)));
    }

    static AgentScrape noAnswer(long startedAtMillis) {
        return new AgentScrape(startedAtMillis, Optional.empty());
    }
}
