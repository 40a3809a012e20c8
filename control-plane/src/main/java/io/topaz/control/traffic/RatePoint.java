package io.topaz.control.traffic;

import java.time.Instant;

/** One poll's rates for one rule: a point of its history chart. */
public record RatePoint(Instant at, double passedPerSecond, double blockedPerSecond, double fallbackPerSecond) {
}
