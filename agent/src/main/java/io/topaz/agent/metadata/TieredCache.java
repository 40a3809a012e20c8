package io.topaz.agent.metadata;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.model.config.CacheRule;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.KeyFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One kind of metadata read through three tiers: L1 (Caffeine, in this agent), L2 ({@link SharedCache}, shared by the
 * agents, optional) and L3 ({@link MetadataSource}, the control plane), with a Bloom filter of existing keys in front.
 *
 * <pre>
 *  get(key) ──▶ L1 hit, fresh ─────────────────────────────────────────▶ value      (past refresh-after: Caffeine
 *     │                                                                             reloads once in the background)
 *     ├──▶ L1 hit, past expire-after ──▶ reload (one per key) ──ok──▶ new value
 *     │                                          └──L2 and L3 down──▶ stale value, up to max-staleness past expiry
 *     ├──▶ L1 miss ──▶ Bloom filter says absent ──budget spent──────────▶ empty      (never reaches L2 or L3)
 *     │                                         └──within budget──▶ the load below; if L2 and L3 are down: empty
 *     └──▶ L1 miss ──▶ one load per key, batched ──▶ L2 ──miss──▶ L3 ──▶ value (written back to L2) or
 *                                                                         empty (cached as a miss for negative-ttl)
 * </pre>
 *
 * <p>A key the filter rejects may exist all the same (created a moment ago, its event not here yet): it is still
 * looked up, as one load like any other, within a budget per second and kind ({@link FilterMisses}); a cached miss
 * of such a key is revalidated within the same budget.
 *
 * <p>Concurrent lookups of one key share one load (Caffeine's per-key loading and refresh); concurrent lookups of
 * different keys are batched into one L3 call while another is in flight. Each entry's expiry is jittered by up to
 * 10 % so entries loaded together are not reloaded together; past expire-after plus max-staleness Caffeine drops
 * them. A cached miss is revalidated after the negative TTL. Time comes from the {@link Ticker} passed in.
 *
 * <p>Not guaranteed: an entry is fresh only to within the event-push latency; {@link #invalidate} on a metadata event
 * is what makes changes visible at once.
 */
public final class TieredCache<V> {

    private static final Logger log = LoggerFactory.getLogger(TieredCache.class);
    /** Keys that may wait for a batch while another is in flight; see {@link KeyBatches}. */
    static final int MAX_PENDING = KeyBatches.MAX_PENDING;

    /** Thrown (inside the future) when a key is not cached and neither L2 nor L3 can be reached. */
    public static final class UnavailableException extends RuntimeException {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final MetadataKind kind;
    private final Class<V> type;
    private final ToLongFunction<V> versionOf;
    private final Function<Set<String>, CompletableFuture<Map<String, V>>> l3;
    private final Function<Double, CompletableFuture<KeyFilter>> filterSource;
    private final SharedCache l2;
    private final Ticker ticker;
    private final MetadataMetrics metrics;
    private final AsyncLoadingCache<String, Entry<V>> cache;
    private final KeyBatches<Entry<V>> batches;
    private final AtomicBoolean sourceDown = new AtomicBoolean();
    private volatile CacheRule rule;
    private final LiveKeyFilter filter = new LiveKeyFilter();
    private final FilterMisses misses;

    TieredCache(MetadataKind kind, Class<V> type, ToLongFunction<V> versionOf,
                Function<Set<String>, CompletableFuture<Map<String, V>>> l3,
                Function<Double, CompletableFuture<KeyFilter>> filterSource, SharedCache l2, CacheRule rule,
                Ticker ticker, Executor executor, MeterRegistry registry) {
        this.kind = kind;
        this.type = type;
        this.versionOf = versionOf;
        this.l3 = l3;
        this.filterSource = filterSource;
        this.l2 = l2;
        this.rule = rule;
        this.ticker = ticker;
        this.cache = Caffeine.newBuilder()
                .maximumSize(rule.maximumSize())
                .refreshAfterWrite(Duration.ofMillis(rule.refreshAfterMillis()))
                // A fixed hard limit (expire-after + max staleness): Caffeine's variable expiry costs three times as
                // much per hit (docs/benchmarks.md). The jittered, per-entry soft expiry is checked in get().
                .expireAfterWrite(Entry.hardLimit(rule))
                .ticker(ticker)
                .executor(executor)
                .buildAsync(new Loader());
        this.metrics = new MetadataMetrics(registry, kind, () -> cache.synchronous().estimatedSize(),
                () -> sourceDown.get() ? 0 : 1);
        this.batches = new KeyBatches<>(this::load, metrics.overflow);
        this.misses = new FilterMisses(ticker, rule.filterMissLookupsPerSecond(), filter, metrics);
    }

    public MetadataKind kind() {
        return kind;
    }

    /**
     * The value of {@code key}, or empty if it does not exist. Fails with {@link UnavailableException} only when the
     * key is not cached (or its staleness bound has passed) and neither L2 nor L3 answers.
     */
    public CompletableFuture<Optional<V>> get(String key) {
        CompletableFuture<Entry<V>> cached = cache.getIfPresent(key);
        if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
            Entry<V> e = cached.join();
            if (ticker.read() < e.softExpireAt()) {
                metrics.l1Hit.increment();
                if (e.negative()) {
                    metrics.negativeHit.increment();
                }
                return e.answer();
            }
            if (e.negative() && !filter.mightContain(key)) {
                // revalidating a cached miss the filter rejects is a filter-miss lookup like the first one was
                return misses.admit() ? misses.answer(key, revalidate(key, e, cached)) : e.answer();
            }
            return revalidate(key, e, cached);
        }
        boolean filterMiss = cached == null && !filter.mightContain(key);
        if (filterMiss && !misses.admit()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        metrics.l1Miss.increment();
        CompletableFuture<Optional<V>> loaded = cache.get(key).handle((e, err) -> {
            if (err != null) {
                throw new UnavailableException(kind + " '" + abbreviate(key) + "' is not cached and the metadata "
                        + "source cannot be reached: " + rootMessage(err), err);
            }
            return answer(e, false);
        });
        return filterMiss ? misses.answer(key, loaded) : loaded;
    }

    private Optional<V> answer(Entry<V> e, boolean l1) {
        if (l1) {
            metrics.l1Hit.increment();
        }
        if (e.negative()) {
            if (l1) {
                metrics.negativeHit.increment();
            }
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    /**
     * Past expire-after: reload (one per key, shared) and serve the old value if the reload fails. Past the staleness
     * bound the old value is never served: the entry is replaced by a fresh load (Caffeine may still hold it, as each
     * failed refresh counts as a write).
     */
    private CompletableFuture<Optional<V>> revalidate(String key, Entry<V> stale, CompletableFuture<Entry<V>> seen) {
        metrics.l1Hit.increment();
        if (ticker.read() >= stale.hardExpireAt()) {
            cache.asMap().remove(key, seen); // only the first caller removes it; the others join its load
            return cache.get(key).handle((e, err) -> {
                if (err != null) {
                    throw new UnavailableException(kind + " '" + abbreviate(key) + "' is past its staleness bound and "
                            + "the metadata source cannot be reached: " + rootMessage(err), err);
                }
                return answer(e, false);
            });
        }
        return cache.synchronous().refresh(key).handle((fresh, err) -> {
            if (err == null && fresh != null) {
                return answer(fresh, false);
            }
            metrics.staleServed.increment();
            return stale.negative() ? Optional.<V>empty() : Optional.of(stale.value());
        });
    }

    /**
     * Drops what this agent cached of {@code key} and marks it changed in L2 at {@code version}, so that the next
     * lookup anywhere loads the new state from L3. Called on a metadata event.
     */
    public void invalidate(String key, long version) {
        cache.synchronous().invalidate(key);
        metrics.invalidations.increment();
        if (version > 0 && l2.configured()) {
            l2.tombstone(kind, key, version, Duration.ofMillis(rule.expireAfterMillis()))
                    .exceptionally(err -> {
                        metrics.l2Error.increment();
                        return false;
                    });
        }
    }

    /**
     * A key was created: let the filter pass it and forget a cached miss of it (one a filter-miss lookup made before
     * the key existed, or before a lagging read saw it), so its next lookup loads it.
     */
    public void created(String key) {
        filter.created(key);
        cache.synchronous().invalidate(key);
    }

    /** Drops every entry (after a gap in the event stream, when events may have been missed). */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    /** Applies a new cache rule: bounds and refresh at once, expiry to entries loaded from now on. */
    public void apply(CacheRule newRule) {
        CacheRule old = this.rule;
        this.rule = newRule;
        cache.synchronous().policy().eviction().ifPresent(e -> e.setMaximum(newRule.maximumSize()));
        cache.synchronous().policy().refreshAfterWrite()
                .ifPresent(r -> r.setRefreshesAfter(Duration.ofMillis(newRule.refreshAfterMillis())));
        cache.synchronous().policy().expireAfterWrite().ifPresent(e -> e.setExpiresAfter(Entry.hardLimit(newRule)));
        misses.rate(newRule.filterMissLookupsPerSecond());
        if (!old.bloomFalsePositiveRate().equals(newRule.bloomFalsePositiveRate())) {
            refreshFilter();
        }
    }

    public CacheRule rule() {
        return rule;
    }

    /**
     * Fetches the Bloom filter at the rule's rate; until the first one arrives every miss goes to L2/L3. Fetches may
     * overlap (the periodic refresh, a rule change, a gap in the event stream): the newest one begun wins.
     */
    public CompletableFuture<Void> refreshFilter() {
        long number = filter.begin();
        CompletableFuture<KeyFilter> fetch;
        try {
            fetch = filterSource.apply(rule.bloomFalsePositiveRate());
        } catch (RuntimeException e) {
            fetch = CompletableFuture.failedFuture(e);
        }
        return fetch.handle((f, err) -> {
            if (err != null) {
                filter.failed();
                log.warn("{} key filter not loaded ({}); lookups skip it until it is", kind, rootMessage(err));
            } else if (filter.install(number, f)) {
                log.info("{} key filter loaded: sized for {} keys at a false-positive rate of {}", kind,
                        f.expectedInsertions(), f.falsePositiveRate());
            } else {
                log.debug("{} key filter {} dropped: a newer one is installed", kind, number);
            }
            return null;
        });
    }

    boolean hasFilter() {
        return filter.present();
    }

    /** Whether the last attempt to reach L3 failed. */
    public boolean sourceDown() {
        return sourceDown.get();
    }

    long estimatedSize() {
        cache.synchronous().cleanUp();
        return cache.synchronous().estimatedSize();
    }

    // ---- loading: L2, then L3, batched ----

    private final class Loader implements AsyncCacheLoader<String, Entry<V>> {
        @Override
        public CompletableFuture<? extends Entry<V>> asyncLoad(String key, Executor executor) {
            return batches.enqueue(key);
        }

        @Override
        public CompletableFuture<? extends Entry<V>> asyncReload(String key, Entry<V> oldValue, Executor executor) {
            return batches.enqueue(key);
        }
    }

    private CompletableFuture<Void> load(Map<String, CompletableFuture<Entry<V>>> batch) {
        long l2Start = ticker.read();
        CompletableFuture<Map<String, SharedCache.Stored>> fromL2 = l2.configured()
                ? l2.get(kind, batch.keySet()).exceptionally(err -> {
                    metrics.l2Error.increment(batch.size());
                    return null;
                })
                : CompletableFuture.completedFuture(Map.of());
        return fromL2.thenCompose(stored -> {
            if (l2.configured() && stored != null) {
                metrics.l2Latency.record(Duration.ofNanos(ticker.read() - l2Start));
            }
            Set<String> missing = new HashSet<>();
            for (var e : batch.entrySet()) {
                SharedCache.Stored s = stored == null ? null : stored.get(e.getKey());
                V value = s == null || s.tombstone() ? null : decode(s.json());
                if (value != null) {
                    metrics.l2Hit.increment();
                    e.getValue().complete(Entry.loaded(value, s.version(), rule, ticker.read()));
                } else {
                    if (stored != null && l2.configured()) {
                        metrics.l2Miss.increment();
                    }
                    missing.add(e.getKey());
                }
            }
            if (missing.isEmpty()) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            return fromL3(missing, batch);
        }).exceptionally(err -> {
            batch.values().forEach(f -> f.completeExceptionally(err));
            return null;
        });
    }

    private CompletableFuture<Void> fromL3(Set<String> keys, Map<String, CompletableFuture<Entry<V>>> batch) {
        long start = ticker.read();
        metrics.l3Calls.increment();
        CompletableFuture<Map<String, V>> call;
        try {
            call = l3.apply(keys);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((found, err) -> {
            metrics.l3Latency.record(Duration.ofNanos(ticker.read() - start));
            if (err != null) {
                metrics.l3Error.increment(keys.size());
                if (sourceDown.compareAndSet(false, true)) {
                    log.warn("{} metadata: the control plane (L3) cannot be reached: {}; serving cached entries up to "
                            + "their staleness bound", kind, rootMessage(err));
                }
                keys.forEach(k -> batch.get(k).completeExceptionally(err));
                return null;
            }
            if (sourceDown.compareAndSet(true, false)) {
                log.info("{} metadata: the control plane (L3) answers again", kind);
            }
            CacheRule r = rule;
            for (String k : keys) {
                V value = found.get(k);
                if (value == null) {
                    metrics.l3Absent.increment();
                    batch.get(k).complete(Entry.absent(r, ticker.read()));
                } else {
                    metrics.l3Found.increment();
                    long version = versionOf.applyAsLong(value);
                    if (l2.configured()) {
                        l2.put(kind, k, version, new String(Json.write(value), StandardCharsets.UTF_8),
                                        Duration.ofMillis(Entry.jittered(r.expireAfterMillis())))
                                .exceptionally(e -> {
                                    metrics.l2Error.increment();
                                    return false;
                                });
                    }
                    batch.get(k).complete(Entry.loaded(value, version, rule, ticker.read()));
                }
            }
            return null;
        });
    }

    private V decode(String json) {
        try {
            return Json.read(json.getBytes(StandardCharsets.UTF_8), type);
        } catch (RuntimeException e) {
            return null; // unreadable (e.g. written by another version): a miss, loaded again from L3
        }
    }

    private static String abbreviate(String key) {
        return key.length() > 16 ? key.substring(0, 12) + "…" : key;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    /** For tests: lookups that would have to leave the agent for {@code keys}. */
    List<String> wouldLoad(List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (cache.getIfPresent(k) == null && filter.mightContain(k)) {
                out.add(k);
            }
        }
        return out;
    }
}
