package io.topaz.agent.metadata;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.model.config.AppStatus;
import io.topaz.model.config.CacheRule;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.AppSecret;
import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class TieredCacheTest {

    private static final CacheRule RULE = new CacheRule(MetadataKind.APP, 10_000L, 60_000L, 30_000L, 300_000L, 5_000L, 0.01, null);
    /** A negligible false-positive rate, so that only the keys put in the filter pass it; filter misses at 10 a second. */
    private static final CacheRule EXACT = new CacheRule(MetadataKind.APP, 10_000L, 60_000L, 30_000L, 300_000L, 5_000L,
            1e-9, 10L);
    /** As {@link #EXACT}, with filter-miss lookups off: the filter's "absent" is final. */
    private static final CacheRule FILTER_ONLY = new CacheRule(MetadataKind.APP, 10_000L, 60_000L, 30_000L, 300_000L,
            5_000L, 1e-9, 0L);

    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final FakeSource source = new FakeSource();
    private final FakeTicker ticker = new FakeTicker();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        executor.shutdownNow();
        assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    private TieredCache<AppMetadata> cache(SharedCache l2) {
        return cache(l2, ticker, registry);
    }

    private TieredCache<AppMetadata> cache(SharedCache l2, FakeTicker t, SimpleMeterRegistry r) {
        return new TieredCache<>(MetadataKind.APP, AppMetadata.class, AppMetadata::version, source::apps,
                rate -> source.filter(MetadataKind.APP, rate), l2, RULE, t, executor, r);
    }

    private static AppMetadata app(String key, long version, AppSecret... secrets) {
        return new AppMetadata(key, "App " + key, "isv", AppStatus.ACTIVE, List.of("core"),
                secrets.length == 0 ? List.of(new AppSecret("secret-" + key, null)) : List.of(secrets), version, 0);
    }

    private static <T> T join(CompletableFuture<T> f) {
        return f.orTimeout(10, TimeUnit.SECONDS).join();
    }

    private double count(String name, String... tags) {
        var search = registry.find(name).tags(tags);
        return search.counter() == null ? 0 : search.counter().count();
    }

    @Test
    void thousandConcurrentLookupsOfAnExpiredKeyCauseOneLoad() {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        source.apps.put("hot", app("hot", 1));
        assertThat(join(c.get("hot"))).map(AppMetadata::version).contains(1L);
        assertThat(source.loads("hot")).isEqualTo(1);

        source.apps.put("hot", app("hot", 2));
        ticker.advance(Duration.ofMinutes(2)); // past expire-after (60 s), within staleness (300 s more)
        source.hold();
        List<CompletableFuture<Optional<AppMetadata>>> lookups = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            lookups.add(c.get("hot"));
        }
        assertThat(lookups).noneMatch(CompletableFuture::isDone); // all waiting on the one load
        source.release();
        for (var f : lookups) {
            assertThat(join(f)).map(AppMetadata::version).contains(2L);
        }
        assertThat(source.loads("hot")).isEqualTo(2); // the first load and exactly one reload
    }

    @Test
    void thousandConcurrentMissesOfOneKeyCauseOneLoadAndDifferentKeysAreBatched() {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        for (int i = 0; i < 50; i++) {
            source.apps.put("k" + i, app("k" + i, 1));
        }
        source.hold();
        List<CompletableFuture<Optional<AppMetadata>>> lookups = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            lookups.add(c.get("k0"));
        }
        for (int i = 1; i < 50; i++) {
            lookups.add(c.get("k" + i));
        }
        source.release();
        lookups.forEach(f -> assertThat(join(f)).isPresent());
        assertThat(source.loads("k0")).isEqualTo(1);
        // the first call carried k0; the 49 others piled up behind it and went in one more call
        assertThat(source.calls.get()).isEqualTo(2);
    }

    @Test
    void keysWaitingForASlowSourceAreBoundedAndTheExcessFailsAtOnce() {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        source.hold(); // the control plane does not answer: the first key's batch stays in flight
        List<CompletableFuture<Optional<AppMetadata>>> waiting = new ArrayList<>();
        for (int i = 0; i <= TieredCache.MAX_PENDING; i++) { // the one in flight, and a full queue behind it
            source.apps.put("w" + i, app("w" + i, 1));
            waiting.add(c.get("w" + i));
        }
        List<CompletableFuture<Optional<AppMetadata>>> excess = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            excess.add(c.get("x" + i));
        }
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        assertThat(excess).allMatch(CompletableFuture::isCompletedExceptionally); // at once, not after the source
        assertThatThrownBy(() -> excess.get(0).join()).hasCauseInstanceOf(TieredCache.UnavailableException.class)
                .hasMessageContaining("already waiting");
        assertThat(count("topaz.metadata.pending.overflow")).isEqualTo(100);
        assertThat(c.get("w7")).isNotDone(); // a key already waiting joins its lookup, it is not refused

        source.release();
        waiting.forEach(f -> assertThat(join(f)).isPresent());
        assertThat(source.keysAsked.get()).isEqualTo(TieredCache.MAX_PENDING + 1);
        source.apps.put("x0", app("x0", 1));
        assertThat(join(c.get("x0"))).isPresent(); // room again: a refused key loads on its next lookup
    }

    @Test
    void bloomFilterKeepsUnknownKeysAwayFromL2AndL3() {
        for (int i = 0; i < 20_000; i++) {
            source.apps.put("app-" + i, app("app-" + i, 1));
        }
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        join(c.refreshFilter());
        assertThat(c.hasFilter()).isTrue();
        int before = source.keysAsked.get();
        List<CompletableFuture<Optional<AppMetadata>>> lookups = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            lookups.add(c.get(UUID.randomUUID().toString()));
        }
        lookups.forEach(f -> assertThat(join(f)).isEmpty());
        int reached = source.keysAsked.get() - before;
        // configured false-positive rate 1 %; allow 1.5 % for chance
        assertThat(reached).isLessThanOrEqualTo(1_500);
        assertThat(count("topaz.metadata.bloom.rejected")).isGreaterThanOrEqualTo(100_000 - 1_500);
        // of the rejected keys, the default budget's (a second's worth, the ticker stands still) were looked up anyway
        assertThat(count("topaz.metadata.filter.miss.lookups")).isEqualTo(100);
        assertThat(count("topaz.metadata.filter.miss.refused"))
                .isEqualTo(count("topaz.metadata.bloom.rejected") - 100);
        assertThat(count("topaz.metadata.filter.miss.found")).isZero();
        // existing keys still pass
        assertThat(join(c.get("app-123"))).isPresent();
    }

    @Test
    void missesAreRememberedForTheNegativeTtlAndCreatedKeysPassAtOnce() {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        c.apply(FILTER_ONLY);
        join(c.refreshFilter());
        source.apps.put("late", app("late", 1)); // created after the filter was built
        assertThat(join(c.get("late"))).isEmpty(); // rejected by the filter (not in it yet), no lookups allowed
        assertThat(source.loads("late")).isZero();
        c.created("late"); // the creation event arrives
        assertThat(join(c.get("late"))).isPresent();

        FakeTicker t = new FakeTicker();
        TieredCache<AppMetadata> noFilter = cache(SharedCache.none(), t, new SimpleMeterRegistry());
        assertThat(join(noFilter.get("ghost"))).isEmpty();
        assertThat(join(noFilter.get("ghost"))).isEmpty();
        assertThat(source.loads("ghost")).isEqualTo(1); // the second was a negative hit
        source.apps.put("ghost", app("ghost", 1));
        assertThat(join(noFilter.get("ghost"))).isEmpty(); // still within the negative TTL (5 s)
        t.advance(Duration.ofSeconds(6));
        assertThat(join(noFilter.get("ghost"))).isPresent(); // revalidated
        assertThat(source.loads("ghost")).isEqualTo(2);
    }

    @Test
    void keysCreatedWhileFilterFetchesOverlapPassAndAnOlderFetchNeverReplacesANewerOne() {
        List<CompletableFuture<KeyFilter>> fetches = new CopyOnWriteArrayList<>();
        TieredCache<AppMetadata> c = new TieredCache<>(MetadataKind.APP, AppMetadata.class, AppMetadata::version,
                source::apps, rate -> {
                    CompletableFuture<KeyFilter> f = new CompletableFuture<>();
                    fetches.add(f);
                    return f;
                }, SharedCache.none(), FILTER_ONLY, ticker, executor, registry);

        // fetch 1 begins; "late" is created (its event arrives) while it is in flight; fetch 2 begins
        CompletableFuture<Void> first = c.refreshFilter();
        source.apps.put("late", app("late", 1));
        c.created("late");
        CompletableFuture<Void> second = c.refreshFilter();
        fetches.get(0).complete(filterOf()); // fetch 1 was built before "late" existed
        join(first);
        assertThat(c.hasFilter()).isTrue();
        assertThat(join(c.get("late"))).isPresent();
        fetches.get(1).complete(filterOf("late"));
        join(second);
        assertThat(join(c.get("late"))).isPresent();

        // fetch 3 begins, "newer" is created, fetch 4 begins; 4 answers first, then 3 (slower), without "newer"
        CompletableFuture<Void> third = c.refreshFilter();
        source.apps.put("newer", app("newer", 1));
        c.created("newer");
        CompletableFuture<Void> fourth = c.refreshFilter();
        fetches.get(3).complete(filterOf("late", "newer"));
        join(fourth);
        fetches.get(2).complete(filterOf("late"));
        join(third);
        assertThat(join(c.get("newer"))).isPresent();
        assertThat(join(c.get("ghost"))).isEmpty();
        assertThat(source.loads("ghost")).isZero(); // the filter in use still keeps unknown keys away
    }

    @Test
    void aKeyCreatedBeforeItsEventArrivedIsFoundOnTheFirstLookup() {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        c.apply(EXACT);
        join(c.refreshFilter());
        source.apps.put("oauth-new", app("oauth-new", 1)); // created after the filter was built; no event yet
        assertThat(join(c.get("oauth-new"))).map(AppMetadata::appKey).contains("oauth-new");
        assertThat(source.loads("oauth-new")).isEqualTo(1);
        assertThat(count("topaz.metadata.filter.miss.lookups")).isEqualTo(1);
        assertThat(count("topaz.metadata.filter.miss.found")).isEqualTo(1);

        assertThat(join(c.get("oauth-new"))).isPresent(); // cached as any loaded entry
        assertThat(source.loads("oauth-new")).isEqualTo(1);
        c.invalidate("oauth-new", 2); // once dropped, the filter passes it: its reload spends no budget
        assertThat(c.wouldLoad(List.of("oauth-new"))).containsExactly("oauth-new");
        assertThat(join(c.get("oauth-new"))).isPresent();
        assertThat(count("topaz.metadata.filter.miss.lookups")).isEqualTo(1);
    }

    @Test
    void forgedKeysCostOneLookupEachAndNoMoreThanTheBudgetAllows() {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        c.apply(EXACT); // 10 filter-miss lookups a second, a burst of 10
        join(c.refreshFilter());

        assertThat(join(c.get("forged-0"))).isEmpty();
        assertThat(join(c.get("forged-0"))).isEmpty(); // the cached miss answers
        assertThat(source.loads("forged-0")).isEqualTo(1);
        assertThat(count("topaz.metadata.negative.hits")).isEqualTo(1);

        int before = source.keysAsked.get();
        for (int i = 1; i <= 100; i++) {
            assertThat(join(c.get("forged-" + i))).isEmpty();
        }
        assertThat(source.keysAsked.get() - before).isEqualTo(9); // the burst's rest; the filter answers the others
        assertThat(count("topaz.metadata.filter.miss.lookups")).isEqualTo(10);
        assertThat(count("topaz.metadata.filter.miss.refused")).isEqualTo(91);

        ticker.advance(Duration.ofMillis(100)); // a tenth of a second: one more
        before = source.keysAsked.get();
        for (int i = 101; i <= 200; i++) {
            join(c.get("forged-" + i));
        }
        assertThat(source.keysAsked.get() - before).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(10)); // a quiet spell saves no more than a second's worth
        before = source.keysAsked.get();
        for (int i = 201; i <= 300; i++) {
            join(c.get("forged-" + i));
        }
        assertThat(source.keysAsked.get() - before).isEqualTo(10);
        // past the negative TTL, a cached miss the filter rejects is revalidated within the same (now spent) budget
        assertThat(join(c.get("forged-0"))).isEmpty();
        assertThat(source.loads("forged-0")).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(1));
        source.down = true; // a filter-miss lookup that cannot reach the source leaves the filter's answer
        assertThat(join(c.get("forged-x"))).isEmpty();
        assertThat(source.loads("forged-x")).isEqualTo(1);
        source.down = false;
        assertThat(join(c.get("forged-0"))).isEmpty();
        assertThat(source.loads("forged-0")).isEqualTo(2); // revalidated, within the budget again
        assertThat(count("topaz.metadata.filter.miss.found")).isZero();

        c.apply(FILTER_ONLY); // the budget applies live
        ticker.advance(Duration.ofSeconds(5));
        before = source.keysAsked.get();
        assertThat(join(c.get("forged-y"))).isEmpty();
        assertThat(source.keysAsked.get()).isEqualTo(before);
    }

    @Test
    void concurrentMissesOfOneKeyUnknownToTheFilterCauseOneLookup() throws Exception {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        c.apply(EXACT);
        join(c.refreshFilter());
        source.apps.put("fresh", app("fresh", 1));
        source.hold();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<CompletableFuture<List<CompletableFuture<Optional<AppMetadata>>>>> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            callers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                List<CompletableFuture<Optional<AppMetadata>>> mine = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    mine.add(c.get("fresh"));
                }
                return mine;
            }, executor));
        }
        go.countDown();
        List<CompletableFuture<Optional<AppMetadata>>> lookups = new ArrayList<>();
        callers.forEach(f -> lookups.addAll(join(f)));
        source.release();
        lookups.forEach(f -> assertThat(join(f)).isPresent());
        assertThat(source.loads("fresh")).isEqualTo(1);
        // lookups racing to start the load may each spend a token; the others join the load in flight
        assertThat(count("topaz.metadata.filter.miss.lookups")).isBetween(1.0, 4.0);
    }

    @Test
    void aCreatedEventDropsTheCachedMissOfItsKey() {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        c.apply(EXACT);
        join(c.refreshFilter());
        assertThat(join(c.get("issued"))).isEmpty(); // looked up before it existed: a cached miss
        source.apps.put("issued", app("issued", 1));
        assertThat(join(c.get("issued"))).isEmpty(); // within the negative TTL
        c.created("issued");
        assertThat(join(c.get("issued"))).isPresent(); // at once, not after the negative TTL
        assertThat(source.loads("issued")).isEqualTo(2);

        // the event arrives while the filter-miss lookup is in flight, and that lookup answers "absent" (it read the
        // source before the key was there): no miss is cached from it
        source.hold();
        CompletableFuture<Optional<AppMetadata>> stale = c.get("racing2");
        c.created("racing2");
        source.release();
        assertThat(join(stale)).isEmpty();
        source.apps.put("racing2", app("racing2", 1));
        assertThat(join(c.get("racing2"))).isPresent();
        assertThat(source.loads("racing2")).isEqualTo(2);
    }

    /** A filter as the control plane builds it, holding {@code keys}, with a negligible false-positive rate. */
    private static KeyFilter filterOf(String... keys) {
        KeyFilter f = KeyFilter.create(10_000, 1e-9);
        for (String k : keys) {
            f.put(k);
        }
        return f;
    }

    @Test
    void sharedTiersDownServesStaleWithinTheBoundThenFailsClearly() throws Exception {
        String redis = RedisSupport.uri();
        String prefix = RedisSupport.prefix();
        TcpProxy proxy = new TcpProxy("127.0.0.1", RedisSupport.PORT);
        closeables.add(proxy);
        RedisSharedCache l2 = new RedisSharedCache("redis://127.0.0.1:" + proxy.port() + "/0", prefix);
        closeables.add(l2);
        RedisSharedCache direct = new RedisSharedCache(redis, prefix); // the same L2, not through the proxy
        closeables.add(direct);
        await().atMost(Duration.ofSeconds(10)).until(() -> l2.connected() && direct.connected());

        TieredCache<AppMetadata> c = cache(l2);
        source.apps.put("kept", app("kept", 1));
        assertThat(join(c.get("kept"))).isPresent();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                join(direct.get(MetadataKind.APP, List.of("kept"))).containsKey("kept")); // L2 was in use

        proxy.close();   // L2 down
        source.down = true; // L3 down
        ticker.advance(Duration.ofMinutes(3)); // past expire-after, within max staleness
        assertThat(join(c.get("kept"))).map(AppMetadata::appKey).contains("kept");
        assertThat(count("topaz.metadata.stale.served")).isEqualTo(1);
        assertThat(count("topaz.metadata.lookups", "tier", "l2", "result", "error")).isPositive(); // L2 was asked
        assertThat(c.sourceDown()).isTrue();
        assertThat(registry.get("topaz.metadata.source.up").gauge().value()).isZero();

        assertThatThrownBy(() -> join(c.get("never-cached")))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TieredCache.UnavailableException.class)
                .hasMessageContaining("cannot be reached");

        ticker.advance(Duration.ofMinutes(5)); // past expire-after + max staleness: gone
        assertThatThrownBy(() -> join(c.get("kept")))
                .hasCauseInstanceOf(TieredCache.UnavailableException.class);

        source.down = false; // L3 back
        assertThat(join(c.get("kept"))).isPresent();
        assertThat(c.sourceDown()).isFalse();
    }

    @Test
    void l2IsSharedAndVersionedSoAnInvalidationIsNotUndoneByAStaleWrite() {
        String uri = RedisSupport.uri();
        String prefix = RedisSupport.prefix();
        RedisSharedCache l2a = new RedisSharedCache(uri, prefix);
        RedisSharedCache l2b = new RedisSharedCache(uri, prefix);
        closeables.add(l2a);
        closeables.add(l2b);
        await().atMost(Duration.ofSeconds(10)).until(() -> l2a.connected() && l2b.connected());
        TieredCache<AppMetadata> agentA = cache(l2a);
        TieredCache<AppMetadata> agentB = cache(l2b, new FakeTicker(), new SimpleMeterRegistry());

        source.apps.put("shared", app("shared", 1));
        assertThat(join(agentA.get("shared"))).isPresent();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                join(l2a.get(MetadataKind.APP, List.of("shared"))).containsKey("shared"));
        assertThat(join(agentB.get("shared"))).map(AppMetadata::version).contains(1L);
        assertThat(source.loads("shared")).isEqualTo(1); // B read it from L2

        // The app changes to version 2; the event reaches A, which marks it changed in L2.
        source.apps.put("shared", app("shared", 2));
        agentA.invalidate("shared", 2);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                join(l2a.get(MetadataKind.APP, List.of("shared"))).get("shared").tombstone());
        // A slow loader that read version 1 earlier cannot put it back.
        assertThat(join(l2b.put(MetadataKind.APP, "shared", 1, "{}", Duration.ofMinutes(1)))).isFalse();
        agentB.invalidate("shared", 2);
        assertThat(join(agentB.get("shared"))).map(AppMetadata::version).contains(2L);
        assertThat(source.loads("shared")).isEqualTo(2);
        // the new version replaces the tombstone of the same version; a second tombstone of it does not
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            SharedCache.Stored s = join(l2a.get(MetadataKind.APP, List.of("shared"))).get("shared");
            return s != null && !s.tombstone() && s.version() == 2;
        });
        assertThat(join(l2a.tombstone(MetadataKind.APP, "shared", 2, Duration.ofMinutes(1)))).isFalse();
    }

    @Test
    void rulesApplyLiveAndExpiriesAreJittered() {
        TieredCache<AppMetadata> c = cache(SharedCache.none());
        c.apply(new CacheRule(MetadataKind.APP, 5L, 60_000L, 1_000L, 0L, 1_000L, 0.01, null));
        assertThat(c.rule().maximumSize()).isEqualTo(5L);
        for (int i = 0; i < 50; i++) {
            source.apps.put("b" + i, app("b" + i, 1));
            join(c.get("b" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> c.estimatedSize() <= 5);

        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            samples.add(Entry.jittered(100_000));
        }
        assertThat(samples).allMatch(v -> v > 90_000 - 1 && v <= 100_000);
        assertThat(samples.stream().distinct().count()).isGreaterThan(100);
    }

    @Test
    void oldSecretWorksUntilRetiredThenCode25() {
        Instant now = Instant.parse("2026-11-24T12:00:00Z");
        Clock before = Clock.fixed(now, ZoneOffset.UTC);
        long retireAt = now.plus(Duration.ofHours(1)).toEpochMilli();
        source.apps.put("rot", app("rot", 2, new AppSecret("new-secret", null), new AppSecret("old-secret", retireAt)));
        Map<String, String> params = new java.util.HashMap<>(Map.of("method", "taobao.time.get", "app_key", "rot",
                "timestamp", "2026-11-24 12:00:00", "v", "2.0", "sign_method", "hmac"));
        String oldSign = TopSigner.sign(params, null, "old-secret", SignMethod.HMAC);
        String newSign = TopSigner.sign(params, null, "new-secret", SignMethod.HMAC);

        try (MetadataClient early = client(before)) {
            assertThat(join(early.checkSignature("rot", params, null, SignMethod.HMAC, oldSign)).ok()).isTrue();
            assertThat(join(early.checkSignature("rot", params, null, SignMethod.HMAC, newSign)).ok()).isTrue();
        }
        try (MetadataClient late = client(Clock.offset(before, Duration.ofHours(1)))) {
            SignatureCheck check = join(late.checkSignature("rot", params, null, SignMethod.HMAC, oldSign));
            assertThat(check.outcome()).isEqualTo(SignatureCheck.Outcome.INVALID_SIGNATURE);
            assertThat(check.outcome().topCode()).isEqualTo(25);
            assertThat(join(late.checkSignature("rot", params, null, SignMethod.HMAC, newSign)).ok()).isTrue();
            assertThat(join(late.checkSignature("nobody", params, null, SignMethod.HMAC, newSign)).outcome().topCode())
                    .isEqualTo(29);
        }
    }

    private MetadataClient client(Clock clock) {
        return new MetadataClient(source, SharedCache.none(), null, null, clock, new FakeTicker(), executor,
                new SimpleMeterRegistry());
    }
}
