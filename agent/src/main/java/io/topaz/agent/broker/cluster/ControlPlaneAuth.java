package io.topaz.agent.broker.cluster;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.topaz.agent.broker.BrokerException;
import io.topaz.agent.control.ControlPlaneUrls;
import io.topaz.model.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Who a bearer token belongs to, asked of the control plane ({@code GET /api/v1/me} with the token: {@code {"name",
 * "role"}}) and cached for {@code ttl}, so the broker port checks tokens without a call per request. An unknown token
 * (401/403) is cached as unknown; a control plane that cannot be reached is not cached and fails with
 * {@code UNAVAILABLE}. Non-blocking. {@code controlUrl} may name several control planes, comma-separated: the check
 * fails over between them ({@link ControlPlaneUrls}).
 */
public final class ControlPlaneAuth {

    /** A token's owner: its name and its role as the control plane names it (AGENT, PUBLISHER, ADMIN, …). */
    public record Caller(String name, String role) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http;
    private final ControlPlaneUrls urls;
    private final AsyncCache<String, Optional<Caller>> cache;

    public ControlPlaneAuth(String controlUrl, Executor executor, Duration ttl, Ticker ticker) {
        this.urls = ControlPlaneUrls.parse(controlUrl);
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor).build();
        this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(10_000).ticker(ticker)
                .executor(executor).buildAsync();
    }

    /**
     * Forgets every cached answer: a token was revoked ({@link TokenRevocationWatch}), so the next request with any
     * token asks the control plane again.
     */
    public void dropCached() {
        cache.synchronous().invalidateAll();
    }

    /** The token's caller, or empty when the control plane does not know the token. */
    public CompletableFuture<Optional<Caller>> caller(String token) {
        return cache.get(token, (t, executor) -> ask(t));
    }

    private CompletableFuture<Optional<Caller>> ask(String token) {
        return urls.send(http, base -> HttpRequest.newBuilder(URI.create(base + "/api/v1/me")).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).GET().build()).handle((r, failure) -> {
            if (failure != null) {
                throw new BrokerException(BrokerException.Kind.UNAVAILABLE,
                        "cannot check the token: the control plane cannot be reached", failure);
            }
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                return Optional.empty();
            }
            if (r.statusCode() != 200) {
                throw new BrokerException(BrokerException.Kind.UNAVAILABLE,
                        "cannot check the token: the control plane answered " + r.statusCode());
            }
            Caller c = Json.read(r.body(), Caller.class);
            return c.role() == null ? Optional.<Caller>empty() : Optional.of(c);
        });
    }
}
