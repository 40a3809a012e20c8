package io.topaz.agent.traffic;

import io.topaz.model.config.LimitMode;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * A QPS limit enforced by this agent alone, on a sliding window of one second in 100 ms buckets. In
 * {@link LimitMode#SINGLE_NODE} mode the agent's share is the limit over the live agents of its cluster; it is also the
 * fallback of a cluster-wide limit.
 */
final class LocalQps implements Limiter {

    private final SlidingWindow window = SlidingWindow.perSecond();
    private final IntSupplier members;
    private final RuleMeters meters;
    private volatile long limit;

    LocalQps(long limit, IntSupplier members, RuleMeters meters) {
        this.limit = limit;
        this.members = members;
        this.meters = meters;
    }

    @Override
    public void limit(long newLimit) {
        this.limit = newLimit;
    }

    long share() {
        return Share.of(limit, members);
    }

    boolean acquire(long nowMillis) {
        return window.tryAcquire(nowMillis, share());
    }

    @Override
    public CompletableFuture<Boolean> tryAcquire(long nowMillis) {
        return Limiter.of(acquire(nowMillis));
    }

    @Override
    public RuleMeters meters() {
        return meters;
    }
}
