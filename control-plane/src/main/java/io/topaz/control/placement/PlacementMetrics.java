package io.topaz.control.placement;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Meters of seller-group placement: {@code topaz.placement.placements{reason}} (placements written, by reason),
 * {@code topaz.placement.unplaced.groups} (assigned groups whose cluster has no live syncing agent, as the leader's
 * latest pass saw them; 0 on the other control planes) and {@code topaz.placement.last.failover.seconds} (when this
 * control plane last moved a group off a vanished agent, epoch seconds; 0 before the first).
 */
public final class PlacementMetrics {

    private final MeterRegistry registry;
    private final AtomicLong unplaced = new AtomicLong();
    private final AtomicLong lastFailoverMillis = new AtomicLong();

    public PlacementMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("topaz.placement.unplaced.groups", unplaced, AtomicLong::get)
                .description("Assigned seller groups whose cluster has no live syncing agent (leader's latest pass)")
                .register(registry);
        Gauge.builder("topaz.placement.last.failover.seconds", lastFailoverMillis, m -> m.get() / 1000.0)
                .description("When a seller group was last moved off a vanished agent (epoch seconds, 0: never)")
                .register(registry);
    }

    void placed(String reason, long atMillis) {
        Counter.builder("topaz.placement.placements").tag("reason", reason)
                .description("Seller-group placements written, by reason").register(registry).increment();
        if (io.topaz.model.placement.GroupPlacement.FAILOVER.equals(reason)) {
            lastFailoverMillis.accumulateAndGet(atMillis, Math::max);
        }
    }

    void unplaced(int groups) {
        unplaced.set(groups);
    }

    long lastFailoverMillis() {
        return lastFailoverMillis.get();
    }
}
