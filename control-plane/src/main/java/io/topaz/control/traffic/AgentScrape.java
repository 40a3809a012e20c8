package io.topaz.control.traffic;

import java.util.Map;
import java.util.Optional;

/**
 * What one poll learnt from one live agent.
 *
 * @param startedAtMillis when the agent says it started (from its registration): a new value means it restarted and
 *                        its counters began again from zero
 * @param counters        its counters per rule, or empty when it did not answer
 */
record AgentScrape(long startedAtMillis, Optional<Map<RuleKey, RuleCounters>> counters) {

    static AgentScrape answered(long startedAtMillis, Map<RuleKey, RuleCounters> counters) {
        return new AgentScrape(startedAtMillis, Optional.of(Map.copyOf(counters)));
    }

    static AgentScrape noAnswer(long startedAtMillis) {
        return new AgentScrape(startedAtMillis, Optional.empty());
    }
}
