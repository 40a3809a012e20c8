package io.topaz.agent.traffic;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.model.config.OverloadRule;
import io.topaz.model.config.Tier;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sheds calls by priority tier when this agent is overloaded. Capacity is calls in flight (admitted and not yet
 * answered), with the thresholds of the agent cluster's {@link OverloadRule}:
 *
 * <pre>
 *  in flight  0 ─────────────── low cap ─────────── normal cap ───────── maxInFlight
 *             │ low, normal, critical │ normal, critical │ critical only (reserve) │ shed all
 *  low cap    = (maxInFlight − reserve) × lowSharePercent, and 0 while last second's mean latency > maxLatencyMillis
 *  normal cap = maxInFlight − reserve,  reserve = maxInFlight × criticalReservePercent
 * </pre>
 *
 * So the low tier goes first, then the normal tier, and the reserve stays for the critical tier. The latency is the
 * mean over a sliding second of the calls this guard let through (it takes the time as a parameter). Without a rule
 * nothing is shed, but calls in flight are still counted.
 */
final class OverloadGuard {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final SlidingWindow latencyCount = SlidingWindow.perSecond();
    private final SlidingWindow latencyMicros = SlidingWindow.perSecond();
    private final Map<Tier, RuleMeters> meters = new EnumMap<>(Tier.class);
    private volatile OverloadRule rule;

    OverloadGuard(MeterRegistry registry) {
        for (Tier t : Tier.values()) {
            meters.put(t, new RuleMeters(registry, "overload", t.name().toLowerCase()));
        }
        Gauge.builder("topaz.traffic.in.flight", inFlight, AtomicInteger::get)
                .description("calls admitted by flow control and not yet answered").register(registry);
    }

    void rule(OverloadRule rule) {
        this.rule = rule;
    }

    int inFlight() {
        return inFlight.get();
    }

    /**
     * Whether the mean latency of the last second's answered calls, in whole milliseconds, is over {@code maxMillis}
     * (false when none were answered). Asked on every low-tier admission: integer arithmetic only.
     */
    boolean meanLatencyOver(long maxMillis, long nowMillis) {
        long n = latencyCount.sum(nowMillis);
        return n > 0 && latencyMicros.sum(nowMillis) / n / 1_000 > maxMillis;
    }

    /** Admits a call of {@code tier} (one more in flight) or returns false: it is shed. */
    boolean tryEnter(Tier tier, long nowMillis) {
        OverloadRule r = rule;
        int cap = r == null ? Integer.MAX_VALUE : cap(r, tier, nowMillis);
        while (true) {
            int cur = inFlight.get();
            if (cur >= cap) {
                meters.get(tier).blocked.increment();
                return false;
            }
            if (inFlight.compareAndSet(cur, cur + 1)) {
                meters.get(tier).passed.increment();
                return true;
            }
        }
    }

    /** An admitted call is answered (or was refused by a later rule, with {@code latencyNanos} negative). */
    void exit(long nowMillis, long latencyNanos) {
        inFlight.decrementAndGet();
        if (latencyNanos >= 0) {
            latencyCount.add(nowMillis, 1);
            latencyMicros.add(nowMillis, latencyNanos / 1_000);
        }
    }

    private int cap(OverloadRule r, Tier tier, long nowMillis) {
        int max = r.maxInFlight();
        int reserve = max * r.criticalReservePercent() / 100;
        int normal = max - reserve;
        return switch (tier) {
            case CRITICAL -> max;
            case NORMAL -> normal;
            case LOW -> meanLatencyOver(r.maxLatencyMillis(), nowMillis) ? 0
                    : normal * r.lowSharePercent() / 100;
        };
    }
}
