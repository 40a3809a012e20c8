package io.topaz.agent.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.topaz.agent.metadata.RedisSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
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

    /** A script no server has seen: its text names this test's unique prefix. */
    private LuaScript fresh(String body) {
        return new LuaScript("-- " + prefix + "\n" + body);
    }

    @Test
    void itsDigestIsTheOneRedisGivesIt() {
        LuaScript script = fresh("return 1");
        assertThat(sync.scriptLoad("-- " + prefix + "\nreturn 1")).isEqualTo(script.sha());
    }

    @Test
    void aScriptTheServerDoesNotKnowIsLoadedOnceAndThenRunByItsDigest() throws Exception {
        LuaScript add = fresh("return redis.call('INCRBY', KEYS[1], ARGV[1])");
        String[] key = {prefix + "n"};
        assertThat(sync.scriptExists(add.sha())).containsExactly(false);

        Long first = add.<Long>run(connection.async(), ScriptOutputType.INTEGER, key, "5").get(5, TimeUnit.SECONDS);
        assertThat(first).isEqualTo(5L); // NOSCRIPT, then EVAL: run exactly once
        assertThat(sync.scriptExists(add.sha())).containsExactly(true);

        long evalshaBefore = calls("evalsha");
        Long second = add.<Long>run(connection.async(), ScriptOutputType.INTEGER, key, "2").get(5, TimeUnit.SECONDS);
        assertThat(second).isEqualTo(7L);
        assertThat(calls("evalsha")).isGreaterThan(evalshaBefore);
    }

    @Test
    void aScriptsOwnErrorFailsTheCallAndIsNotRunAgain() {
        LuaScript failing = fresh("redis.call('INCR', KEYS[1]) return redis.error_reply('boom')");
        String[] key = {prefix + "runs"};
        for (int call = 1; call <= 2; call++) { // the first call also takes the NOSCRIPT path
            assertThatThrownBy(() -> failing.run(connection.async(), ScriptOutputType.INTEGER, key)
                    .get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RedisCommandExecutionException.class).hasMessageContaining("boom");
            assertThat(sync.get(key[0])).isEqualTo(Integer.toString(call)); // ran once per call, never retried
        }
    }

    /** Calls of a command since the server started, from INFO commandstats. */
    private long calls(String command) {
        for (String line : sync.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                String rest = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(rest.substring(0, rest.indexOf(',')));
            }
        }
        return 0;
    }
}
