package io.topaz.agent.sync;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.topaz.agent.control.ControlPlaneUrls;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Sync targets' passwords read from the control plane's AGENT-role lookup
 * ({@code GET /api/v1/metadata/sync-targets/{name}/password}) with the agent's token, failing over between the control
 * planes of {@code --control-url} ({@link ControlPlaneUrls}). An answer is kept briefly ({@link #DEFAULT_TTL}): a
 * target's pool asks again on every new connection, and the control plane need not hear of each. A password change is
 * announced by a {@code SYNC_TARGET} metadata event, which drops the kept answer at once ({@link #changed}); missed
 * events drop them all. A password that is not set reads as empty; a failure is never kept, so the next call asks
 * again. Passwords are never logged.
 */
public final class ControlPlaneSyncCredentials implements SyncCredentials {

    private static final Logger log = LoggerFactory.getLogger(ControlPlaneSyncCredentials.class);
    /** How long an answer is kept without an event. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String PATH = "/api/v1/metadata/sync-targets/";

    private final HttpClient http;
    private final ControlPlaneUrls urls;
    private final String token;
    private final AsyncLoadingCache<String, String> passwords;

    /**
     * @param controlUrl one control plane or several, comma-separated
     * @param token      a control-plane token with the AGENT role
     * @param ttl        how long an answer is kept when no event drops it
     * @param ticker     the cache's clock (tests move it by hand)
     */
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public ControlPlaneSyncCredentials(String controlUrl, String token, Executor executor, Duration ttl, Ticker ticker) {
        this.urls = ControlPlaneUrls.parse(controlUrl);
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor).build();
        this.passwords = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(10_000)
                .ticker(ticker)
                .executor(executor)
                .buildAsync((target, exec) -> fetch(target));
    }

    /**
     * The agent's credentials: its {@code --control-url} and AGENT token, answers kept {@link #DEFAULT_TTL}, and
     * dropped on the metadata events {@code metadata} watches.
     */
    public static ControlPlaneSyncCredentials create(String controlUrl, String token, Executor executor,
                                                     MetadataClient metadata) {
        ControlPlaneSyncCredentials c = new ControlPlaneSyncCredentials(controlUrl, token, executor, DEFAULT_TTL,
                Ticker.systemTicker());
        metadata.onSyncTargetChange(c::changed);
        return c;
    }

    @Override
    public CompletableFuture<String> password(String target) {
        return passwords.get(target);
    }

    /**
     * The password of {@code target} changed (or, with {@code null}, any may have): read it again when next asked,
     * and tell the listeners (the sync engine restarts the groups whose password is no longer the one they run with).
     */
    public void changed(String target) {
        if (target == null) {
            passwords.synchronous().invalidateAll();
        } else {
            passwords.synchronous().invalidate(target);
        }
        listeners.forEach(l -> l.accept(target));
    }

    @Override
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    private CompletableFuture<String> fetch(String target) {
        String path = PATH + URLEncoder.encode(target, StandardCharsets.UTF_8).replace("+", "%20") + "/password";
        return urls.send(http, base -> HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(TIMEOUT)
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "application/json")
                        .GET().build())
                .thenApply(r -> answer(target, r));
    }

    private static String answer(String target, HttpResponse<byte[]> r) {
        int status = r.statusCode();
        if (status == 404) {
            log.debug("sync target {}: no password set", target);
            return "";
        }
        if (status != 200) {
            String hint = status == 401 || status == 403
                    ? " (is --agent-token a control-plane token with the AGENT role?)" : "";
            throw new CompletionException(new IOException("the password of sync target '" + target
                    + "': the control plane answered " + status + hint));
        }
        JsonNode body;
        try {
            body = Json.lenient().readTree(r.body());
        } catch (RuntimeException e) {
            throw new CompletionException(new IOException("the password of sync target '" + target
                    + "': the control plane's answer is not JSON"));
        }
        JsonNode password = body == null ? null : body.get("password");
        if (password == null || !password.isString()) {
            throw new CompletionException(new IOException("the password of sync target '" + target
                    + "': the control plane's answer has no password"));
        }
        return password.asString();
    }
}
