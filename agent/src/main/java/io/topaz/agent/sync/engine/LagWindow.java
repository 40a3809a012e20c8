package io.topaz.agent.sync.engine;

import java.util.Arrays;

/**
 * The last {@code size} lags of a group, for the p50/p99 of {@code GET /sync}: a ring written by the sync thread and
 * copied and sorted by the reader (a few thousand numbers), so neither side waits on the other beyond a short lock.
 * Prometheus gets the same lags as histogram buckets ({@code topaz_sync_lag_seconds_bucket}).
 */
final class LagWindow {

    private final long[] ring;
    private int next;
    private int count;

    LagWindow(int size) {
        this.ring = new long[size];
    }

    synchronized void record(long millis) {
        ring[next] = millis;
        next = (next + 1) % ring.length;
        count = Math.min(count + 1, ring.length);
    }

    /** The {@code q} quantile (0 to 1) of the recorded lags, 0 when none. */
    long quantile(double q) {
        long[] copy;
        synchronized (this) {
            copy = Arrays.copyOf(ring, count);
        }
        if (copy.length == 0) {
            return 0;
        }
        Arrays.sort(copy);
        int index = (int) Math.ceil(q * copy.length) - 1;
        return copy[Math.max(0, Math.min(copy.length - 1, index))];
    }
}
