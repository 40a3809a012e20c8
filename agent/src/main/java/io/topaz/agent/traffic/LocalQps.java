package io.topaz.agent.traffic;

import io.topaz.model.config.LimitMode;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * A QPS limit enforced by this agent alone, on a sliding window of one second in 100 ms buckets. In
 * {@link LimitMode#SINGLE_NODE} mode the agent's share is the limit over the live agents of its cluster; it is also the
 * fallback of a cluster-wide limit. Its permit is itself: giving one back takes the call out of the window.
 */
final class LocalQps implements Limiter, Permit {

    private final SlidingWindow window = SlidingWindow.perSecond();
    private final CompletableFuture<Permit> granted = CompletableFuture.completedFuture(this);
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

    @Override
    public CompletableFuture<Permit> tryAcquire(long nowMillis) {
        return window.tryAcquire(nowMillis, share()) ? granted : BLOCK;
    }

    @Override
    public void giveBack(long nowMillis) {
        window.add(nowMillis, -1);
    }

    @Override
    public RuleMeters meters() {
        return meters;
    }
}
