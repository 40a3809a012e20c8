package io.topaz.agent.traffic;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.topaz.agent.redis.BackgroundRedisConnection;
import io.topaz.agent.redis.LuaScript;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster counter on Redis through Lettuce: one Lua script per grant, so counting and checking are one atomic
 * step for all agents; scripts run by their digest ({@link LuaScript}), not their text. Keys are
 * {@code prefix + key} (a window's buckets add {@code :<bucket>}); every key expires by itself. The connection is made in the background and retried; while it is missing or Lettuce reconnects,
 * commands fail at once (not queued) and callers use their local share. A command that takes longer than the
 * timeout fails too: a limit decision never waits long for Redis (at most twice the timeout on the first call of a
 * script after Redis restarted, which loads it).
 */
public final class RedisClusterCounter implements ClusterCounter {

    /** KEYS[1] base key; ARGV: bucket index, buckets, limit, want, ttl millis. */
    static final LuaScript WINDOW = new LuaScript("""
            local idx = tonumber(ARGV[1])
            local n = tonumber(ARGV[2])
            local limit = tonumber(ARGV[3])
            local want = tonumber(ARGV[4])
            local sum = 0
            for i = idx - n + 1, idx do
              local v = redis.call('GET', KEYS[1] .. ':' .. i)
              if v then sum = sum + tonumber(v) end
            end
            local grant = limit - sum
            if grant > want then grant = want end
            if grant <= 0 then return 0 end
            local k = KEYS[1] .. ':' .. idx
            redis.call('INCRBY', k, grant)
            redis.call('PEXPIRE', k, ARGV[5])
            return grant
            """);

    /** KEYS[1] key; ARGV: limit, want, ttl millis. */
    static final LuaScript TOTAL = new LuaScript("""
            local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
            local grant = tonumber(ARGV[1]) - cur
            local want = tonumber(ARGV[2])
            if grant > want then grant = want end
            if grant <= 0 then return 0 end
            redis.call('INCRBY', KEYS[1], grant)
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return grant
            """);

    /** KEYS[1] key; ARGV: n, ttl millis. */
    static final LuaScript ADD = new LuaScript("""
            local v = redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return v
            """);

    private final String prefix;
    private final BackgroundRedisConnection redis;

    /**
     * @param timeout how long one grant may take before the caller falls back to its local share
     */
    public RedisClusterCounter(String redisUri, String prefix, Duration timeout) {
        this.prefix = prefix;
        this.redis = new BackgroundRedisConnection(redisUri, timeout, "traffic control",
                "cluster-wide limits use each agent's local share");
    }

    @Override
    public boolean ready() {
        return redis.ready();
    }

    @Override
    public CompletableFuture<Long> acquireInWindow(String key, long bucketIndex, int buckets, long bucketMillis,
                                                  long limit, long want) {
        long ttl = (buckets + 1L) * bucketMillis;
        return eval(WINDOW, key, Long.toString(bucketIndex), Integer.toString(buckets), Long.toString(limit),
                Long.toString(want), Long.toString(ttl));
    }

    @Override
    public CompletableFuture<Long> acquireOfTotal(String key, long limit, long want, long ttlMillis) {
        return eval(TOTAL, key, Long.toString(limit), Long.toString(want), Long.toString(ttlMillis));
    }

    @Override
    public CompletableFuture<Long> add(String key, long n, long ttlMillis) {
        return eval(ADD, key, Long.toString(n), Long.toString(ttlMillis));
    }

    private CompletableFuture<Long> eval(LuaScript script, String key, String... args) {
        StatefulRedisConnection<String, String> c = redis.current();
        if (c == null || !c.isOpen()) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
        }
        try {
            return script.run(c.async(), ScriptOutputType.INTEGER, new String[]{prefix + key}, args);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
