package io.topaz.agent.metadata;

import com.github.benmanes.caffeine.cache.Ticker;

/**
 * How many lookups of keys the key filter does not know may still go to the control plane: a token bucket of
 * {@code perSecond} tokens, refilled continuously at {@code perSecond} a second from the cache's {@link Ticker}, so at
 * most {@code perSecond} such lookups pass in any one second after a quiet one (a burst of a second's worth), and no
 * more than the rate for long. The filter is what keeps forged and random keys away from the control plane; the
 * budget lets through the few real ones it does not know yet (created a moment ago, their event still on its way)
 * without reopening that door. Zero turns the lookups off: the filter's answer stands, as before.
 *
 * <p>Tokens are kept in billionths so that refilling needs no floating point; one lock around a few arithmetic
 * operations, never held while waiting for anything (the callers include the gateway's event loops).
 */
final class FilterMissBudget {

    private static final long ONE = 1_000_000_000L;

    private final Ticker ticker;
    private long perSecond;
    private long tokens; // billionths of a token
    private long last;

    FilterMissBudget(Ticker ticker, long perSecond) {
        this.ticker = ticker;
        this.perSecond = Math.max(0, perSecond);
        this.tokens = this.perSecond * ONE;
        this.last = ticker.read();
    }

    /** Takes one lookup from the budget; false when it is spent (the caller answers the filter's "absent"). */
    boolean tryAcquire() {
        long now = ticker.read();
        synchronized (this) {
            refill(now);
            if (tokens < ONE) {
                return false;
            }
            tokens -= ONE;
            return true;
        }
    }

    /** A new rate (a cache rule applied live); tokens already saved are kept up to the new capacity. */
    void rate(long newPerSecond) {
        long now = ticker.read();
        synchronized (this) {
            refill(now);
            perSecond = Math.max(0, newPerSecond);
            tokens = Math.min(tokens, perSecond * ONE);
        }
    }

    private void refill(long now) {
        long elapsed = now - last;
        if (elapsed <= 0) {
            return; // a ticker read before another thread's later one: nothing to add
        }
        last = now;
        // at most one second counts: the bucket holds a second's worth, and this keeps the product far from overflow
        tokens = Math.min(perSecond * ONE, tokens + Math.min(elapsed, ONE) * perSecond);
    }
}
