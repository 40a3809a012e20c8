package io.topaz.agent.metadata;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.topaz.agent.redis.BackgroundRedisConnection;
import io.topaz.agent.redis.LuaScript;
import io.topaz.model.config.MetadataKind;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * L2 on Redis through Lettuce. Keys are {@code prefix + kind + ':' + key}; values are {@code version|json}, a
 * tombstone is {@code version|}. Writes go through a Lua script that refuses a lower version, so they are atomic
 * against every other agent.
 *
 * <p>The agent starts whether or not Redis answers: the connection is made in the background and retried; while it
 * is missing, or while Lettuce reconnects, commands fail at once (not queued), and the tiered cache goes to L3.
 */
final class RedisSharedCache implements SharedCache {

    /** KEYS[1] key; ARGV[1] version, ARGV[2] json ('' for a tombstone), ARGV[3] ttl millis. */
    static final LuaScript PUT = new LuaScript("""
            local cur = redis.call('GET', KEYS[1])
            if cur then
              local sep = string.find(cur, '|', 1, true)
              if sep then
                local cv = tonumber(string.sub(cur, 1, sep - 1))
                local nv = tonumber(ARGV[1])
                if cv > nv then return 0 end
                if cv == nv and (sep < string.len(cur) or ARGV[2] == '') then return 0 end
              end
            end
            redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
            return 1
            """);

    private final String prefix;
    private final BackgroundRedisConnection redis;

    RedisSharedCache(String redisUri, String prefix) {
        this.prefix = prefix;
        this.redis = new BackgroundRedisConnection(redisUri, Duration.ofMillis(500), "L2 cache", "reading L1 → L3");
    }

    /** Whether a connection exists now (Lettuce may still be reconnecting it). */
    boolean connected() {
        return redis.ready();
    }

    private String redisKey(MetadataKind kind, String key) {
        return prefix + kind.name().toLowerCase(Locale.ROOT) + ":" + key;
    }

    @Override
    public CompletableFuture<Map<String, Stored>> get(MetadataKind kind, Collection<String> keys) {
        StatefulRedisConnection<String, String> c = redis.current();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
        }
        String[] redisKeys = keys.stream().map(k -> redisKey(kind, k)).toArray(String[]::new);
        String[] plain = keys.toArray(String[]::new);
        return c.async().mget(redisKeys).toCompletableFuture().thenApply(values -> {
            Map<String, Stored> out = new HashMap<>();
            for (int i = 0; i < values.size(); i++) {
                KeyValue<String, String> kv = values.get(i);
                if (kv.hasValue()) {
                    Stored s = decode(kv.getValue());
                    if (s != null) {
                        out.put(plain[i], s);
                    }
                }
            }
            return out;
        });
    }

    static Stored decode(String raw) {
        int sep = raw.indexOf('|');
        if (sep <= 0) {
            return null;
        }
        try {
            long version = Long.parseLong(raw, 0, sep, 10);
            return new Stored(version, sep == raw.length() - 1 ? null : raw.substring(sep + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public CompletableFuture<Boolean> put(MetadataKind kind, String key, long version, String json, Duration ttl) {
        return write(kind, key, version, json == null ? "" : json, ttl);
    }

    @Override
    public CompletableFuture<Boolean> tombstone(MetadataKind kind, String key, long version, Duration ttl) {
        return write(kind, key, version, "", ttl);
    }

    private CompletableFuture<Boolean> write(MetadataKind kind, String key, long version, String json, Duration ttl) {
        StatefulRedisConnection<String, String> c = redis.current();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
        }
        String[] keys = {redisKey(kind, key)};
        return PUT.<Long>run(c.async(), ScriptOutputType.INTEGER, keys, Long.toString(version), json,
                Long.toString(Math.max(1, ttl.toMillis()))).thenApply(r -> r == 1L);
    }

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public void close() {
        redis.close();
    }
}
