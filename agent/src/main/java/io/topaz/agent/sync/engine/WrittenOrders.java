package io.topaz.agent.sync.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What one group's live stream already read from the source and wrote, per order: the newest {@code modified}. Bounded
 * (at most {@code maxOrders} orders, each forgotten {@code expiry} after it was last written; time from the clock).
 *
 * <p>It saves source reads: a message whose {@code modified} is not newer than what was written for its order — a
 * duplicate, a message delivered again, an older message that arrives after a newer one, a change a later read already
 * covered — needs no read, since the version it announces (or a newer one) is on the target. A message without
 * {@code modified} is always read. A {@code modified} on a whole second may be a time truncated to seconds (TOP's
 * {@code yyyy-MM-dd HH:mm:ss}), so it counts as the last millisecond of that second. An order forgotten (evicted,
 * expired, or written by a previous holder) is read as before; reconciliation still catches anything missed.
 * Thread-safe.
 */
final class WrittenOrders {

    private final Cache<Long, Long> newest;

    WrittenOrders(Clock clock, long maxOrders, Duration expiry) {
        this.newest = Caffeine.newBuilder().maximumSize(maxOrders).expireAfterWrite(expiry)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
    }

    /** The live stream wrote {@code tid}'s row as of {@code modifiedMillis} (or found the target had it). */
    void written(long tid, long modifiedMillis) {
        newest.asMap().merge(tid, modifiedMillis, Math::max);
    }

    /** The newest modified written for {@code tid}, or -1 when none is known. */
    long newest(long tid) {
        Long w = newest.getIfPresent(tid);
        return w == null ? -1 : w;
    }

    /**
     * True when a message naming {@code tid} as of {@code messageModifiedMillis} (0: the message had none) announces
     * nothing newer than what was written: it needs no source read.
     */
    boolean covers(long tid, long messageModifiedMillis) {
        if (messageModifiedMillis <= 0) {
            return false;
        }
        long latest = messageModifiedMillis % 1000 == 0 ? messageModifiedMillis + 999 : messageModifiedMillis;
        long w = newest(tid);
        return w >= 0 && latest <= w;
    }
}
