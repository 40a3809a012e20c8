package io.topaz.agent.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script that runs by its SHA-1 ({@code EVALSHA}), so a call sends the digest instead of the script's text.
 * A server that does not know the script — a new or restarted Redis, or after {@code SCRIPT FLUSH} — answers
 * {@code NOSCRIPT}, and that call is sent again once with {@code EVAL}, which also loads the script for the calls
 * after it. The way Redis' documentation recommends scripts be run; the retry is safe because a {@code NOSCRIPT}
 * call ran nothing.
 */
public final class LuaScript {

    private final String source;
    private final String sha;

    public LuaScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    /** The digest Redis knows the script by (lowercase hex SHA-1 of its text). */
    public String sha() {
        return sha;
    }

    /** Runs the script with {@code keys} and {@code args}; the future fails as the command does. */
    public <T> CompletableFuture<T> run(RedisAsyncCommands<String, String> commands, ScriptOutputType type,
                                        String[] keys, String... args) {
        return commands.<T>evalsha(sha, type, keys, args).toCompletableFuture()
                .exceptionallyCompose(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    return cause instanceof RedisNoScriptException
                            ? commands.<T>eval(source, type, keys, args).toCompletableFuture()
                            : CompletableFuture.failedFuture(cause);
                });
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }
}
