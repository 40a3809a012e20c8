package io.topaz.agent.traffic;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * A daily quota counted by this agent alone (its share of the limit over the live agents of its cluster), in the
 * {@link QuotaCounts} of the day, so the count survives a restart and starts from zero at midnight. As the fallback
 * of a cluster-wide quota it also counts its calls as unsynced, to be added to the cluster's count when the counter
 * answers again. Its permit is itself.
 */
final class LocalQuota implements Limiter, Permit {

    private final String rule;
    private final QuotaCounts counts;
    private final IntSupplier members;
    private final RuleMeters meters;
    private final boolean unsynced;
    private final CompletableFuture<Permit> granted = CompletableFuture.completedFuture(this);
    private volatile long limit;

    /**
     * @param unsynced whether this is a cluster quota's fallback: its calls are not yet in the cluster's count
     */
    LocalQuota(String rule, long limit, QuotaCounts counts, IntSupplier members, RuleMeters meters,
               boolean unsynced) {
        this.rule = rule;
        this.limit = limit;
        this.counts = counts;
        this.members = members;
        this.meters = meters;
        this.unsynced = unsynced;
    }

    @Override
    public void limit(long newLimit) {
        this.limit = newLimit;
    }

    @Override
    public CompletableFuture<Permit> tryAcquire(long nowMillis) {
        AtomicLong used = counts.local(rule, nowMillis);
        if (used.incrementAndGet() > Share.of(limit, members)) {
            used.decrementAndGet();
            return BLOCK;
        }
        if (unsynced) {
            counts.unsynced(rule, nowMillis).incrementAndGet();
        }
        counts.changed();
        return granted;
    }

    @Override
    public void giveBack(long nowMillis) {
        counts.local(rule, nowMillis).decrementAndGet();
        if (unsynced) { // unless a sync took it meanwhile: then the cluster's count keeps it (errs towards refusing)
            counts.unsynced(rule, nowMillis).getAndUpdate(n -> n > 0 ? n - 1 : n);
        }
        counts.changed();
    }

    @Override
    public RuleMeters meters() {
        return meters;
    }
}
