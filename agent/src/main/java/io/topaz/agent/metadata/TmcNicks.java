package io.topaz.agent.metadata;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Sellers' nicks → TOP user ids, for a produce that names its seller by nick. Sellers are never renamed or deleted,
 * so a found id is kept long (an hour); a nick not found is asked again after 30 seconds (the seller may be created
 * meanwhile). Concurrent lookups of one nick share one load; a failed load is not cached.
 */
final class TmcNicks {

    static final Duration FOUND_TTL = Duration.ofHours(1);
    static final Duration ABSENT_TTL = Duration.ofSeconds(30);
    static final long MAX_NICKS = 100_000;

    private final AsyncLoadingCache<String, OptionalLong> cache;

    TmcNicks(Function<Set<String>, CompletableFuture<Map<String, String>>> source, Ticker ticker, Executor executor) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(MAX_NICKS)
                .ticker(ticker)
                .executor(executor)
                .expireAfter(new Expiry<String, OptionalLong>() {
                    @Override
                    public long expireAfterCreate(String key, OptionalLong value, long now) {
                        return (value.isPresent() ? FOUND_TTL : ABSENT_TTL).toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, OptionalLong value, long now, long current) {
                        return expireAfterCreate(key, value, now);
                    }

                    @Override
                    public long expireAfterRead(String key, OptionalLong value, long now, long current) {
                        return current;
                    }
                })
                .buildAsync((nick, ex) -> source.apply(Set.of(nick)).thenApply(found -> {
                    String id = found.get(nick);
                    try {
                        return id == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(id));
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty(); // not TOP's kind of id: not a message-service seller
                    }
                }));
    }

    CompletableFuture<OptionalLong> userIdOf(String nick) {
        return cache.get(nick).handle((id, err) -> {
            if (err != null) {
                throw new TieredCache.UnavailableException("the user id of nick '" + nick + "' is not cached and the "
                        + "control plane cannot be reached: " + TieredCache.rootMessage(err), err);
            }
            return id;
        });
    }
}
