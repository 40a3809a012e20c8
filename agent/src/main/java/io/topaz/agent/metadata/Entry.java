package io.topaz.agent.metadata;

import io.topaz.model.config.CacheRule;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cached value, or a cached miss ({@code value == null}). Times are ticker nanos. {@code answer} is the completed
 * lookup result, made once so that a hit allocates nothing; it is shared by every caller, who may read it but
 * has no reason to (and must not) obtrude a value on it.
 */
record Entry<V>(V value, long version, long loadedAt, long softExpireAt, long hardExpireAt,
                CompletableFuture<Optional<V>> answer) {
    Entry(V value, long version, long loadedAt, long softExpireAt, long hardExpireAt) {
        this(value, version, loadedAt, softExpireAt, hardExpireAt,
                CompletableFuture.completedFuture(Optional.ofNullable(value)));
    }

    /** A value loaded now, fresh for the rule's (jittered) expire-after, then servable up to its max staleness. */
    static <V> Entry<V> loaded(V value, long version, CacheRule rule, long now) {
        long soft = now + Duration.ofMillis(jittered(rule.expireAfterMillis())).toNanos();
        return new Entry<>(value, version, now, soft, soft + Duration.ofMillis(rule.maxStalenessMillis()).toNanos());
    }

    /** A key the source does not know, remembered as absent for the rule's negative TTL. */
    static <V> Entry<V> absent(CacheRule rule, long now) {
        long ttl = Duration.ofMillis(rule.negativeTtlMillis()).toNanos();
        return new Entry<>(null, 0, now, now + ttl, now + hardLimit(rule).toNanos());
    }

    /** How long L1 may hold any entry under {@code rule}: expire-after plus max staleness. */
    static Duration hardLimit(CacheRule rule) {
        return Duration.ofMillis(rule.expireAfterMillis() + rule.maxStalenessMillis());
    }

    /** 90–100 % of {@code millis}: entries loaded together expire spread over a tenth of their lifetime. */
    static long jittered(long millis) {
        return millis - (long) (millis * 0.1 * ThreadLocalRandom.current().nextDouble());
    }

    boolean negative() {
        return value == null;
    }
}
