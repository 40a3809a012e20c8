package io.topaz.agent.traffic;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * A QPS limit that holds for the sum over the agents of a cluster. The window (one second in 100 ms buckets, as the
 * local one) lives in the {@link ClusterCounter}; this agent takes permits from it in batches — a lease valid for
 * the current bucket — so most calls decide locally, and only the call that finds the lease empty waits for one
 * round trip (every call arriving meanwhile waits for the same one). A lease that comes back short means the
 * window is full: the rest of the bucket is refused without asking again. Unused permits of a lease may still be
 * used in the next bucket (they are counted in the window already); a window can so pass its limit by at most one
 * batch per agent, where dropping them would leave it short by as much on every bucket.
 *
 * <p>When the counter fails, the rule falls back to the agent's local share ({@link LocalQps}) and probes the
 * counter again after a second.
 */
final class ClusterQps implements Limiter {

    /** Permits of one bucket taken from the cluster counter. */
    private record Lease(long bucket, AtomicLong remaining, boolean windowFull) {
        boolean take() {
            return remaining.getAndDecrement() > 0;
        }
    }

    private record Refill(long bucket, CompletableFuture<Lease> future) {
    }

    private static final Lease NONE = new Lease(Long.MIN_VALUE, new AtomicLong(), false);

    private final String key;
    private final ClusterCounter counter;
    private final Clock clock;
    private final IntSupplier members;
    private final RuleMeters meters;
    private final LocalQps local;
    private final Fallback fallback;
    private final int buckets;
    private final long bucketMillis;
    private final AtomicReference<Lease> lease = new AtomicReference<>(NONE);
    private final AtomicReference<Refill> refill = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long limit;

    ClusterQps(String key, long limit, ClusterCounter counter, Clock clock, IntSupplier members, RuleMeters meters,
               long fallbackRetryMillis) {
        this.key = key;
        this.limit = limit;
        this.counter = counter;
        this.clock = clock;
        this.members = members;
        this.meters = meters;
        this.local = new LocalQps(limit, members, meters);
        this.fallback = new Fallback(meters, fallbackRetryMillis);
        SlidingWindow shape = SlidingWindow.perSecond();
        this.buckets = shape.buckets();
        this.bucketMillis = shape.bucketMillis();
    }

    @Override
    public void limit(long newLimit) {
        this.limit = newLimit;
        local.limit(newLimit);
        lease.set(NONE); // a lease that found the window full under the old limit may not be full under the new one
    }

    boolean inFallback() {
        return fallback.active();
    }

    /** Permits asked for at once: about half of this agent's share of one bucket. */
    long batch() {
        long perBucket = limit / buckets / Math.max(1, members.getAsInt());
        return Math.max(1, Math.min(1_000, perBucket / 2));
    }

    @Override
    public CompletableFuture<Boolean> tryAcquire(long nowMillis) {
        if (fallback.local(nowMillis)) {
            meters.fallback.increment();
            return Limiter.of(local.acquire(nowMillis));
        }
        long bucket = nowMillis / bucketMillis;
        Lease l = lease.get();
        // A lease serves its own bucket and the next: a batch fetched at the end of a bucket often arrives in the next
        // one, and its permits, already counted in the window, would otherwise be wasted (measured: −12 % under load).
        if (l.bucket == bucket || l.bucket == bucket - 1) {
            if (l.take()) {
                return PASS;
            }
            if (l.windowFull && l.bucket == bucket) {
                return BLOCK;
            }
        }
        waiting.incrementAndGet();
        return refill(bucket, nowMillis).thenCompose(next -> {
            waiting.decrementAndGet();
            if (next == null) { // the counter failed: decide on the local share
                meters.fallback.increment();
                return Limiter.of(local.acquire(nowMillis));
            }
            if (next.take()) {
                return PASS;
            }
            if (next.windowFull) {
                return BLOCK;
            }
            return tryAcquire(Math.max(nowMillis, clock.millis())); // others took this batch first: ask again
        });
    }

    /** The lease for {@code bucket}: the one being fetched, or a new fetch. Completes with null when it failed. */
    private CompletableFuture<Lease> refill(long bucket, long nowMillis) {
        while (true) {
            Refill r = refill.get();
            if (r != null && r.bucket == bucket && !r.future.isDone()) {
                return r.future;
            }
            CompletableFuture<Lease> f = new CompletableFuture<>();
            Refill mine = new Refill(bucket, f);
            if (!refill.compareAndSet(r, mine)) {
                continue;
            }
            // the calls already waiting for this round trip, plus a batch for those arriving during the next: with a
            // fixed batch an agent could pass at most one batch per round trip, too few when Redis answers slowly
            // (at most two batches: a grant whose answer times out is lost to the window)
            long want = Math.min(2 * batch(), batch() + waiting.get());
            counter.acquireInWindow(key, bucket, buckets, bucketMillis, limit, want).whenComplete((granted, err) -> {
                if (err != null || granted == null) {
                    fallback.failed(clock.millis(), err);
                    f.complete(null);
                    return;
                }
                fallback.succeeded();
                // A grant that arrives buckets later (a slow round trip on a busy machine) serves the bucket it arrives
                // in: stamped with its request's bucket, its unused permits would be dropped at once (measured: half
                // the limit lost with round trips of 100-200 ms).
                long arrived = Math.max(bucket, clock.millis() / bucketMillis);
                Lease next = new Lease(arrived, new AtomicLong(granted), granted < want && arrived == bucket);
                lease.accumulateAndGet(next, (old, n) -> old.bucket > n.bucket ? old : n);
                f.complete(next);
            });
            return f;
        }
    }

    @Override
    public RuleMeters meters() {
        return meters;
    }
}
