package io.topaz.agent.traffic;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A count over a sliding window of time, kept in a ring of buckets (as Sentinel's leap array does): the window of
 * {@code window} is {@code buckets} buckets, and the count at a moment is the sum of the buckets that lie in the
 * window ending then. Every method takes the time as a parameter (epoch milliseconds, or any monotonic millisecond
 * count), so tests move a clock instead of sleeping.
 *
 * <p>Lock-free: a bucket whose time has passed is replaced by a fresh one with one compare-and-set. Two threads that
 * check and add at the same instant may both pass the last permit; the overshoot is bounded by the number of threads
 * deciding at once.
 */
public final class SlidingWindow {

    /** A bucket's count is a {@link LongAdder}: many event loops add to the same bucket without contending. */
    private record Bucket(long index, LongAdder count) {
    }

    private final int buckets;
    private final long bucketMillis;
    private final AtomicReferenceArray<Bucket> ring;

    public SlidingWindow(Duration window, int buckets) {
        if (buckets < 1 || window.toMillis() < buckets || window.toMillis() % buckets != 0) {
            throw new IllegalArgumentException("window " + window + " must be a positive multiple of " + buckets
                    + " ms");
        }
        this.buckets = buckets;
        this.bucketMillis = window.toMillis() / buckets;
        this.ring = new AtomicReferenceArray<>(buckets);
    }

    /** One second in ten buckets of 100 ms: the window of a QPS limit. */
    public static SlidingWindow perSecond() {
        return new SlidingWindow(Duration.ofSeconds(1), 10);
    }

    public long bucketMillis() {
        return bucketMillis;
    }

    public int buckets() {
        return buckets;
    }

    /** The sum over the window that ends at {@code nowMillis}. */
    public long sum(long nowMillis) {
        long current = nowMillis / bucketMillis;
        long sum = 0;
        for (int i = 0; i < buckets; i++) {
            Bucket b = ring.get(i);
            if (b != null && b.index > current - buckets && b.index <= current) {
                sum += b.count.sum();
            }
        }
        return sum;
    }

    /** Adds {@code n} at {@code nowMillis}. */
    public void add(long nowMillis, long n) {
        bucket(nowMillis).count.add(n);
    }

    /**
     * Adds one at {@code nowMillis} if the window's sum is below {@code limit}; returns whether it did.
     */
    public boolean tryAcquire(long nowMillis, long limit) {
        Bucket b = bucket(nowMillis);
        if (sum(nowMillis) >= limit) {
            return false;
        }
        b.count.increment();
        return true;
    }

    private Bucket bucket(long nowMillis) {
        long index = nowMillis / bucketMillis;
        int slot = (int) Math.floorMod(index, (long) buckets);
        while (true) {
            Bucket b = ring.get(slot);
            if (b != null && b.index == index) {
                return b;
            }
            if (b != null && b.index > index) {
                // A clock that stepped back: count in the newer bucket rather than lose the event.
                return b;
            }
            Bucket fresh = new Bucket(index, new LongAdder());
            if (ring.compareAndSet(slot, b, fresh)) {
                return fresh;
            }
        }
    }
}
