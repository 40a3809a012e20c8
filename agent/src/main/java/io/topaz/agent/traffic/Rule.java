package io.topaz.agent.traffic;

import io.topaz.model.config.LimitMode;

/** A compiled flow or quota rule as the agent enforces it: its limiter and how a refusal by it is worded. */
record Rule(String kind, String id, LimitMode mode, Limiter limiter, String subCode, String what, long limit) {
}
