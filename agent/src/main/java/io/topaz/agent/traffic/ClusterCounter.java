package io.topaz.agent.traffic;

import java.io.Closeable;
import java.util.concurrent.CompletableFuture;

/**
 * The counter shared by the agents of a cluster, for limits in {@code CLUSTER} mode. Each call grants a batch of
 * permits at once, so an agent asks again only when its batch is used up. A future that fails means the counter
 * is unreachable; the caller falls back to its local share.
 */
public interface ClusterCounter extends Closeable {

    /**
     * Grants up to {@code want} permits in the sliding window of {@code buckets} buckets that ends with bucket
     * {@code bucketIndex}, without letting the window's sum pass {@code limit}; completes with the number granted
     * (0 when the window is full). The permits count in bucket {@code bucketIndex}.
     */
    CompletableFuture<Long> acquireInWindow(String key, long bucketIndex, int buckets, long bucketMillis, long limit,
                                           long want);

    /**
     * Grants up to {@code want} permits of a total that may not pass {@code limit} (a daily quota), completes with
     * the number granted.
     */
    CompletableFuture<Long> acquireOfTotal(String key, long limit, long want, long ttlMillis);

    /** Adds {@code n} (negative to give permits back) to a total; completes with the new total. */
    CompletableFuture<Long> add(String key, long n, long ttlMillis);

    /** Whether the counter can be asked now (connected); a counter that is not ready fails every call at once. */
    boolean ready();

    @Override
    void close();
}
