package io.topaz.console.traffic;

/**
 * One point of the selected rule's chart.
 *
 * @param secondsAgo how long before the newest point it was measured (0 for the newest, negative before)
 */
public record ChartPoint(double secondsAgo, double passedPerSecond, double blockedPerSecond) {
}
