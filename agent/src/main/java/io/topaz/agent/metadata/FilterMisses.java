package io.topaz.agent.metadata;

import com.github.benmanes.caffeine.cache.Ticker;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link TieredCache}'s keys its filter rejects. Such a key may exist all the same: created a moment ago, its
 * CREATED event not yet here (a session issued by an OAuth exchange is used within milliseconds). So it is still
 * looked up, as one load like any other (shared by concurrent lookups of the key, its answer cached, a miss for the
 * negative TTL), but only within the rule's {@code filterMissLookupsPerSecond}: beyond it the filter's "absent"
 * stands, so random or forged keys cost the control plane at most that many lookups a second.
 *
 * <p>This class decides whether one may be looked up all the same, within the kind's
 * {@link FilterMissBudget}, and what such a lookup's answer means (a key found exists though the filter lacked it —
 * its CREATED event is still on the way — so the filter passes it from now on; a source that cannot be reached leaves
 * the filter's "absent"). Counted in the cache's metrics.
 */
final class FilterMisses {

    private final FilterMissBudget budget;
    private final LiveKeyFilter filter;
    private final MetadataMetrics metrics;

    FilterMisses(Ticker ticker, long perSecond, LiveKeyFilter filter, MetadataMetrics metrics) {
        this.budget = new FilterMissBudget(ticker, perSecond);
        this.filter = filter;
        this.metrics = metrics;
    }

    /**
     * The filter rejected a key: whether it may be looked up all the same. A lookup of a key whose load is already in
     * flight joins it without asking (the cache holds an entry for it), so concurrent lookups of one key spend one
     * token, or a few when they race to start the load, and cause one load.
     */
    boolean admit() {
        metrics.bloomRejected.increment();
        if (!budget.tryAcquire()) {
            metrics.filterMissRefused.increment();
            return false;
        }
        metrics.filterMissLookups.increment();
        return true;
    }

    /** The answer of an admitted lookup of {@code key}. */
    <V> CompletableFuture<Optional<V>> answer(String key, CompletableFuture<Optional<V>> lookup) {
        return lookup.handle((found, err) -> {
            if (err != null) {
                return Optional.<V>empty();
            }
            if (found.isPresent()) {
                metrics.filterMissFound.increment();
                filter.created(key);
            }
            return found;
        });
    }

    /** A new budget (a cache rule applied live). */
    void rate(long perSecond) {
        budget.rate(perSecond);
    }
}
