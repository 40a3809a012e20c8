package io.topaz.agent.traffic;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * A QPS limit that holds for the sum over the agents of a cluster: what it asks of the {@link ClusterCounter}. The
 * window (one second in 100 ms buckets, as the local one) lives in the counter; the agent takes permits from it in
 * batches through {@link LeasedPermits}, a lease per bucket. Unused permits of a lease may still be used in the next
 * bucket (they are counted in the window already); a window can so pass its limit by at most one batch per agent,
 * where dropping them would leave it short by as much on every bucket (measured: −12 % under load). A grant that
 * arrives buckets later (a slow round trip on a busy machine) serves the bucket it arrives in (measured: stamped with
 * its request's bucket, half the limit was lost with round trips of 100-200 ms).
 *
 * <p>When the counter fails, the rule falls back to the agent's local share ({@link LocalQps}) and probes the
 * counter again after the fallback's retry time.
 */
final class ClusterQps implements LeasedPermits.Source {

    private final String key;
    private final ClusterCounter counter;
    private final IntSupplier members;
    private final int buckets;
    private final long bucketMillis;
    private volatile long limit;

    private ClusterQps(String key, long limit, ClusterCounter counter, IntSupplier members) {
        this.key = key;
        this.limit = limit;
        this.counter = counter;
        this.members = members;
        SlidingWindow shape = SlidingWindow.perSecond();
        this.buckets = shape.buckets();
        this.bucketMillis = shape.bucketMillis();
    }

    /** The limiter of a cluster-wide QPS rule counted under {@code key}. */
    static Limiter limiter(String key, long limit, ClusterCounter counter, Clock clock, IntSupplier members,
                           RuleMeters meters, long fallbackRetryMillis) {
        return new LeasedPermits(new ClusterQps(key, limit, counter, members), true,
                new LocalQps(limit, members, meters), meters, fallbackRetryMillis, clock);
    }

    @Override
    public void limit(long newLimit) {
        this.limit = newLimit;
    }

    @Override
    public long period(long nowMillis) {
        return nowMillis / bucketMillis;
    }

    /** Permits asked for at once: about half of this agent's share of one bucket. */
    @Override
    public long batch() {
        long perBucket = limit / buckets / Math.max(1, members.getAsInt());
        return Math.max(1, Math.min(1_000, perBucket / 2));
    }

    @Override
    public CompletableFuture<Long> grant(long bucket, long want) {
        return counter.acquireInWindow(key, bucket, buckets, bucketMillis, limit, want);
    }

    /** Unused permits expire with their window: nothing to give back. */
    @Override
    public CompletableFuture<?> returnUnused(long bucket, long unused) {
        return Limiter.BLOCK;
    }
}
