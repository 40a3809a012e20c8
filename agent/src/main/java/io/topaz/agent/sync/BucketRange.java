package io.topaz.agent.sync;

/** A seller group's half-open bucket range {@code [from, to)} ({@code SellerGroup}); rows carry their bucket. */
public record BucketRange(int from, int to) {

    public BucketRange {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("bad bucket range [" + from + ", " + to + ")");
        }
    }

    public boolean contains(int bucket) {
        return bucket >= from && bucket < to;
    }
}
