package io.topaz.control.traffic;

import java.util.Map;

/** Everything the poller reads from one answer of an agent's {@code /metrics}. */
record AgentCounters(Map<RuleKey, RuleCounters> rules, GatewayCounters gateway) {

    AgentCounters {
        rules = Map.copyOf(rules);
    }
}
