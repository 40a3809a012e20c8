package io.topaz.console.controlplane;

import java.util.List;

/** One rule's recent rates, oldest first ({@code GET /api/v1/traffic/rates/{kind}/{rule}/history}). */
public record TrafficHistory(String kind, String rule, List<Point> points) {

    public TrafficHistory {
        points = points == null ? List.of() : List.copyOf(points);
    }

    /** One poll's rates; {@code at} is ISO-8601. */
    public record Point(String at, double passedPerSecond, double blockedPerSecond, double fallbackPerSecond) {
    }
}
