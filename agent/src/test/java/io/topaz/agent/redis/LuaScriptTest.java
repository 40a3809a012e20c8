package io.topaz.agent.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.topaz.agent.metadata.RedisSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Scripts by digest on the real Redis: loaded on first use, run by EVALSHA after, errors not retried. */
class LuaScriptTest {

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> sync;
    private String prefix;

    @BeforeEach
    void connect() {
        client = RedisClient.create(RedisSupport.uri());
        connection = client.connect();
        sync = connection.sync();
        prefix = RedisSupport.prefix();
    }

    @AfterEach
    void close() {
        List<String> keys = sync.keys(prefix + "*");
        if (!keys.isEmpty()) {
            sync.del(keys.toArray(String[]::new));
        }
        connection.close();
        client.shutdown();
    }

    /** A script no server has seen: its text names this test's unique prefix (and a non-ASCII character). */
    private String fresh(String body) {
        return "-- " + prefix + " é\n" + body;
    }

    /** The connection's commands, counting the calls of each command method made through them. */
    @SuppressWarnings("unchecked")
    private RedisAsyncCommands<String, String> counting(Map<String, Integer> calls) {
        RedisAsyncCommands<String, String> real = connection.async();
        return (RedisAsyncCommands<String, String>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{RedisAsyncCommands.class}, (proxy, method, args) -> {
                    calls.merge(method.getName(), 1, Integer::sum);
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void itsDigestIsTheOneRedisGivesIt() {
        String source = fresh("return 1");
        assertThat(sync.scriptLoad(source)).isEqualTo(new LuaScript(source).sha());
    }

    @Test
    void aScriptTheServerDoesNotKnowIsLoadedOnceAndThenRunByItsDigest() throws Exception {
        LuaScript add = new LuaScript(fresh("return redis.call('INCRBY', KEYS[1], ARGV[1])"));
        String[] key = {prefix + "n"};
        assertThat(sync.scriptExists(add.sha())).containsExactly(false);

        Map<String, Integer> calls = new ConcurrentHashMap<>();
        Long first = add.<Long>run(counting(calls), ScriptOutputType.INTEGER, key, "5").get(5, TimeUnit.SECONDS);
        assertThat(first).isEqualTo(5L); // run exactly once
        assertThat(calls).containsExactlyInAnyOrderEntriesOf(Map.of("evalsha", 1, "eval", 1)); // NOSCRIPT, then EVAL
        assertThat(sync.scriptExists(add.sha())).containsExactly(true);

        calls.clear();
        Long second = add.<Long>run(counting(calls), ScriptOutputType.INTEGER, key, "2").get(5, TimeUnit.SECONDS);
        assertThat(second).isEqualTo(7L);
        assertThat(calls).containsExactlyInAnyOrderEntriesOf(Map.of("evalsha", 1)); // by digest only
    }

    @Test
    void aScriptsOwnErrorFailsTheCallAndIsNotRunAgain() {
        LuaScript failing = new LuaScript(fresh("redis.call('INCR', KEYS[1]) return redis.error_reply('boom')"));
        String[] key = {prefix + "runs"};
        for (int call = 1; call <= 2; call++) { // the first call also takes the NOSCRIPT path
            assertThatThrownBy(() -> failing.run(connection.async(), ScriptOutputType.INTEGER, key)
                    .get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RedisCommandExecutionException.class).hasMessageContaining("boom");
            assertThat(sync.get(key[0])).isEqualTo(Integer.toString(call)); // ran once per call, never retried
        }
    }
}
