package io.topaz.agent.sync;

import java.util.Objects;

/**
 * An order whose target row does not match the source, found by reconciliation. {@code source} or {@code target} is
 * null where that side has no row. Every reason but {@link Reason#NEWER_ON_TARGET} is repaired by writing the source
 * row through the conditional write (an extra target row by writing nothing: it is reported, not deleted).
 */
public record Difference(long tid, Reason reason, OrderKey source, OrderKey target) {

    public enum Reason {
        /** The source has a live order the target lacks. */
        MISSING_ON_TARGET,
        /** The target holds an older version ({@code modified} below the source's). */
        OLDER_ON_TARGET,
        /** Same {@code modified}, another document ({@code jdp_hashcode}). */
        HASH_DIFFERS,
        /** Same version, but deleted on one side only. */
        DELETED_DIFFERS,
        /** The target holds a newer version than the source — the source went back in time; never overwritten. */
        NEWER_ON_TARGET,
        /** The target has a live order the source does not have at all. */
        EXTRA_ON_TARGET
    }

    /**
     * How {@code target} differs from {@code source} (either may be null), or null when it does not: a deleted order
     * missing from the target is not a difference (purged, or never copied).
     */
    public static Reason compare(OrderKey source, OrderKey target) {
        if (source == null) {
            return target == null || target.deleted() ? null : Reason.EXTRA_ON_TARGET;
        }
        if (target == null) {
            return source.deleted() ? null : Reason.MISSING_ON_TARGET;
        }
        if (target.modifiedMillis() < source.modifiedMillis()) {
            return Reason.OLDER_ON_TARGET;
        }
        if (target.modifiedMillis() > source.modifiedMillis()) {
            return Reason.NEWER_ON_TARGET;
        }
        if (!Objects.equals(target.hashcode(), source.hashcode())) {
            return Reason.HASH_DIFFERS;
        }
        return target.deleted() == source.deleted() ? null : Reason.DELETED_DIFFERS;
    }
}
