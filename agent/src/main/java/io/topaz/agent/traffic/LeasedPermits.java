package io.topaz.agent.traffic;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The permits of a cluster-wide limit, taken from the {@link ClusterCounter} in batches (a lease of one period), so
 * that most calls decide locally and only the call that finds the lease empty waits for a round trip — every call
 * arriving meanwhile waits for the same one. The one mechanism behind {@link ClusterQps} (a period is a 100 ms
 * bucket of a sliding second) and {@link ClusterQuota} (a period is a day); what differs is their {@link Source}.
 *
 * <pre>
 *  tryAcquire ──▶ counter down (fallback) ───────────────────────────▶ the local share decides
 *       ├──▶ lease of this period has a permit ──────────────────────▶ permit (no allocation)
 *       ├──▶ lease came back short in this period ───────────────────▶ refused (no round trip)
 *       └──▶ refill (one in flight per period, shared) ──▶ granted ──▶ take one, else refused or ask again
 *                                                       └──failed──▶ fallback for a while, the local share decides
 * </pre>
 *
 * <p>A lease that comes back short means the window or the day is used up: the rest of that period is refused
 * without asking again. A refused call gives its permit back to the lease it took it from. With {@code carryOver}
 * (QPS) a lease also serves the next period, and a grant that arrives periods late serves the period it arrives in:
 * its permits are counted in the window already, and dropping them would leave the window short.
 */
final class LeasedPermits implements Limiter {

    /** What a cluster-wide limit asks of the counter. */
    interface Source {

        /** The period of {@code nowMillis}: a bucket index, an epoch day. */
        long period(long nowMillis);

        /** Permits asked for at once when no call is waiting. */
        long batch();

        /** Asks the counter for up to {@code want} permits of {@code period}; completes with the number granted. */
        CompletableFuture<Long> grant(long period, long want);

        /** A call passed on a lease ({@code +1}) or gave its permit back ({@code -1}). */
        default void leased(long nowMillis, int delta) {
        }

        /** Gives back {@code unused} permits of {@code period} to the counter, when the rule changes or goes. */
        CompletableFuture<?> returnUnused(long period, long unused);

        /** Takes a published rule's new limit. */
        void limit(long newLimit);
    }

    /** The permits of one period taken from the counter; a permit given back returns to it. */
    private final class Lease implements Permit {
        final long period;
        final AtomicLong remaining;
        final boolean exhausted;
        final CompletableFuture<Permit> granted = CompletableFuture.completedFuture(this);

        Lease(long period, long remaining, boolean exhausted) {
            this.period = period;
            this.remaining = new AtomicLong(remaining);
            this.exhausted = exhausted;
        }

        boolean serves(long p) {
            return period == p || (carryOver && period == p - 1);
        }

        /** Takes a permit; a failed take leaves the count below zero, which {@link #giveBack} accounts for. */
        CompletableFuture<Permit> take(long nowMillis) {
            if (remaining.getAndDecrement() > 0) {
                source.leased(nowMillis, 1);
                return granted;
            }
            return null;
        }

        @Override
        public void giveBack(long nowMillis) {
            remaining.getAndUpdate(n -> Math.max(n, 0) + 1);
            source.leased(nowMillis, -1);
        }
    }

    private record Refill(long period, CompletableFuture<Lease> future) {
    }

    private final Source source;
    private final boolean carryOver;
    private final Limiter local;
    private final Fallback fallback;
    private final RuleMeters meters;
    private final Clock clock;
    private final Lease none = new Lease(Long.MIN_VALUE, 0, false);
    private final AtomicReference<Lease> lease = new AtomicReference<>(none);
    private final AtomicReference<Refill> refill = new AtomicReference<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * @param local decides while the counter is unreachable (the agent's share)
     */
    LeasedPermits(Source source, boolean carryOver, Limiter local, RuleMeters meters, long fallbackRetryMillis,
                  Clock clock) {
        this.source = source;
        this.carryOver = carryOver;
        this.local = local;
        this.meters = meters;
        this.fallback = new Fallback(meters, fallbackRetryMillis);
        this.clock = clock;
    }

    @Override
    public boolean inFallback() {
        return fallback.active();
    }

    @Override
    public RuleMeters meters() {
        return meters;
    }

    /** A new limit applies to the counter and the local share; the lease, taken under the old one, is dropped. */
    @Override
    public void limit(long newLimit) {
        source.limit(newLimit);
        local.limit(newLimit);
        release();
    }

    @Override
    public CompletableFuture<Permit> tryAcquire(long nowMillis) {
        if (fallback.local(nowMillis)) {
            return onLocalShare(nowMillis);
        }
        long period = source.period(nowMillis);
        Lease l = lease.get();
        if (l.serves(period)) {
            CompletableFuture<Permit> p = l.take(nowMillis);
            if (p != null) {
                return p;
            }
            if (l.exhausted && l.period == period) {
                return Limiter.BLOCK;
            }
        }
        waiting.incrementAndGet();
        return refill(period).thenCompose(next -> {
            waiting.decrementAndGet();
            if (next == null) { // the counter failed
                return onLocalShare(nowMillis);
            }
            CompletableFuture<Permit> p = next.take(nowMillis);
            if (p != null) {
                return p;
            }
            if (next.exhausted) {
                return Limiter.BLOCK;
            }
            return tryAcquire(Math.max(nowMillis, clock.millis())); // others took this batch first: ask again
        });
    }

    private CompletableFuture<Permit> onLocalShare(long nowMillis) {
        meters.fallback.increment();
        return local.tryAcquire(nowMillis);
    }

    /** The lease for {@code period}: the one being fetched, or a new fetch. Completes with null when it failed. */
    private CompletableFuture<Lease> refill(long period) {
        while (true) {
            Refill r = refill.get();
            if (r != null && r.period == period && !r.future.isDone()) {
                return r.future;
            }
            CompletableFuture<Lease> f = new CompletableFuture<>();
            if (!refill.compareAndSet(r, new Refill(period, f))) {
                continue;
            }
            // the calls already waiting for this round trip, plus a batch for those arriving during the next: with a
            // fixed batch an agent could pass at most one batch per round trip, too few when Redis answers slowly
            // (at most two batches: a grant whose answer times out is lost to the count)
            long batch = source.batch();
            long want = Math.min(2 * batch, batch + waiting.get());
            CompletableFuture<Long> asked;
            try {
                asked = source.grant(period, want);
            } catch (RuntimeException e) {
                asked = CompletableFuture.failedFuture(e);
            }
            asked.whenComplete((granted, err) -> {
                if (err != null || granted == null) {
                    fallback.failed(clock.millis(), err);
                    f.complete(null);
                    return;
                }
                fallback.succeeded();
                long stamped = carryOver ? Math.max(period, source.period(clock.millis())) : period;
                Lease next = new Lease(stamped, granted, granted < want && stamped == period);
                lease.accumulateAndGet(next, (old, n) -> old.period > n.period ? old : n);
                f.complete(next);
            });
            return f;
        }
    }

    /** Drops the lease and gives its unused permits back. */
    @Override
    public CompletableFuture<?> release() {
        Lease l = lease.getAndSet(none);
        long unused = l.remaining.getAndSet(0);
        return l != none && unused > 0 ? source.returnUnused(l.period, unused) : Limiter.BLOCK;
    }
}
