package io.topaz.agent.sync;

/**
 * The tightest tid range {@code [from, to)} holding the live orders of a bucket range and a modified range
 * ({@code from} the smallest tid, {@code to} the largest plus one): where a full reconciliation starts bisecting.
 */
public record TidRange(long from, long to) {

    public TidRange {
        if (to <= from) {
            throw new IllegalArgumentException("empty tid range [" + from + ", " + to + ")");
        }
    }
}
