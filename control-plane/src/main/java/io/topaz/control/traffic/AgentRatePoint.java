package io.topaz.control.traffic;

import java.time.Instant;

/** One poll's gateway rates for one agent: a point of its sparkline. */
public record AgentRatePoint(Instant at, double requestsPerSecond, double errorsPerSecond) {
}
