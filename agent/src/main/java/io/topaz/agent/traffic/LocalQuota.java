package io.topaz.agent.traffic;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * A daily quota counted by this agent alone (its share of the limit over the live agents of its cluster), in the
 * {@link QuotaCounts} of the day, so the count survives a restart and starts from zero at midnight.
 */
final class LocalQuota implements Limiter {

    private final String rule;
    private final QuotaCounts counts;
    private final IntSupplier members;
    private final RuleMeters meters;
    private volatile long limit;

    LocalQuota(String rule, long limit, QuotaCounts counts, IntSupplier members, RuleMeters meters) {
        this.rule = rule;
        this.limit = limit;
        this.counts = counts;
        this.members = members;
        this.meters = meters;
    }

    @Override
    public void limit(long newLimit) {
        this.limit = newLimit;
    }

    boolean acquire(long nowMillis) {
        AtomicLong used = counts.local(rule, nowMillis);
        if (used.incrementAndGet() > Share.of(limit, members)) {
            used.decrementAndGet();
            return false;
        }
        counts.changed();
        return true;
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
