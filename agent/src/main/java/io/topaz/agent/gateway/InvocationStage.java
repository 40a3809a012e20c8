package io.topaz.agent.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.topaz.agent.gateway.upstream.UpstreamBody;
import io.topaz.agent.gateway.upstream.UpstreamClient;
import io.topaz.agent.gateway.upstream.UpstreamFailure;
import io.topaz.agent.gateway.upstream.UpstreamResponse;
import io.topaz.agent.gateway.upstream.UpstreamTarget;
import io.topaz.model.config.UpstreamEndpoint;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Invocation: sends the call's application parameters to the chosen instance (the upstream contract,
 * docs/upstream-contract.md) within the API's timeout. When no connection could be made the next healthy instance is
 * tried; a request that may have been sent is never retried. Each outcome feeds the passive health checks.
 */
final class InvocationStage {

    /** The system parameters, which upstreams never see. */
    static final Set<String> SYSTEM = Set.of("method", "app_key", "sign", "sign_method", "timestamp", "v", "format",
            "session", "simplify", "partner_id", "target_app_key");

    private final UpstreamClient client;
    private final RoutingStage routing;
    /** Parsed upstream URLs (bounded: URLs of instances removed from the config age out). */
    private final Cache<String, UpstreamTarget> targets = Caffeine.newBuilder().maximumSize(10_000).build();

    InvocationStage(UpstreamClient client, RoutingStage routing) {
        this.client = client;
        this.routing = routing;
    }

    /** The upstream's answer; fails with the {@link TopError} to answer when there is none. */
    CompletableFuture<UpstreamResponse> invoke(Call call) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Topaz-Method", call.method);
        headers.put("X-Topaz-App-Key", call.appKey);
        headers.put("X-Topaz-Request-Id", call.requestId);
        headers.put("X-Topaz-Api-Group", call.api.apiGroup());
        if (call.session != null) {
            headers.put("X-Topaz-User-Id", call.session.userId());
            if (call.session.userNick() != null) {
                // HTTP header values are not UTF-8 text: a nick such as 小店 travels percent-encoded
                headers.put("X-Topaz-User-Nick", java.net.URLEncoder.encode(call.session.userNick(),
                        java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        UpstreamBody body;
        if (call.files.isEmpty()) {
            body = UpstreamBody.form(form(call.params));
        } else {
            Multipart.Encoded m = Multipart.encode(call.params, SYSTEM, call.files);
            body = new UpstreamBody(m.body(), m.contentType());
        }
        CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
        attempt(call, call.endpoint, headers, body, new HashSet<>(), result);
        return result;
    }

    private void attempt(Call call, UpstreamEndpoint endpoint, Map<String, String> headers, UpstreamBody body,
                         Set<String> tried, CompletableFuture<UpstreamResponse> result) {
        tried.add(endpoint.url());
        UpstreamTarget target = targets.get(endpoint.url(), UpstreamTarget::of);
        long timeout = call.api.timeoutMillis();
        // On the caller's own event loop: the answer completes the call where its connection lives.
        long sent = System.nanoTime();
        client.post(call.loop, target, headers, body, timeout).whenComplete((response, err) -> {
            call.upstreamNanos += System.nanoTime() - sent;
            UpstreamHealth health = routing.health();
            if (err == null) {
                if (response.status() >= 500) {
                    health.failure(endpoint.url());
                } else {
                    health.success(endpoint.url());
                }
                result.complete(response);
                return;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (!(cause instanceof UpstreamFailure f0 && f0.kind() == UpstreamFailure.Kind.OVERLOADED)) {
                health.failure(endpoint.url());
            }
            if (cause instanceof UpstreamFailure f && f.retryable()) {
                UpstreamEndpoint next = routing.pick(call.api, tried);
                if (next != null) {
                    attempt(call, next, headers, body, tried, result);
                    return;
                }
                result.completeExceptionally(new GatewayException(TopError.of(15, "isp.remote-connection-error",
                        "no instance of " + call.method + "'s service could be reached")));
            } else if (cause instanceof UpstreamFailure f && f.kind() == UpstreamFailure.Kind.TIMEOUT) {
                result.completeExceptionally(new GatewayException(TopError.of(15, "isp.remote-service-timeout",
                        call.method + " did not answer within " + timeout + " ms")));
            } else {
                result.completeExceptionally(new GatewayException(TopError.of(15, "isp.remote-service-error",
                        call.method + "'s service failed: the connection broke")));
            }
        });
    }

    static String form(Map<String, String> params) {
        StringBuilder sb = new StringBuilder(128);
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (SYSTEM.contains(e.getKey())) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }
}
