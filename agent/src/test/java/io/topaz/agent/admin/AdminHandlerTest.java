package io.topaz.agent.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import io.topaz.agent.broker.cluster.ControlPlaneAuth;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin handler alone, through an EmbeddedChannel, checking that no buffer leaks. */
class AdminHandlerTest {

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private static final String TOKEN = "tpz_control-plane-token";

    private static EmbeddedChannel channel() {
        AdminHandler handler = new AdminHandler(() -> Map.of("status", "UP"), () -> "metric_a 1.0\n");
        handler.tokens(AdminHandlerTest::agentToken);
        return new EmbeddedChannel(handler);
    }

    /** The control plane's answer for its own token, already known (as from the cache). */
    private static CompletableFuture<Optional<ControlPlaneAuth.Caller>> agentToken(String token) {
        return CompletableFuture.completedFuture(token.equals(TOKEN)
                ? Optional.of(new ControlPlaneAuth.Caller("control-plane-broker", "AGENT")) : Optional.empty());
    }

    private static DefaultFullHttpRequest withToken(DefaultFullHttpRequest request) {
        request.headers().set("Authorization", "Bearer " + TOKEN);
        return request;
    }

    @Test
    void answersHealthAndMetrics() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health"));
        FullHttpResponse health = ch.readOutbound();
        assertThat(health.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(health.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"UP\"}");
        health.release();

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics?x=1"));
        FullHttpResponse metrics = ch.readOutbound();
        assertThat(metrics.headers().get("content-type")).isEqualTo(AdminHandler.PROMETHEUS_TYPE);
        assertThat(metrics.content().toString(StandardCharsets.UTF_8)).contains("metric_a 1.0");
        metrics.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void refusesUnknownPathsAndMethodsWithoutLeaking() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/admin/secret"));
        FullHttpResponse notFound = ch.readOutbound();
        assertThat(notFound.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        notFound.release();

        ch.writeInbound(withToken(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.DELETE, "/health",
                Unpooled.copiedBuffer("body", StandardCharsets.UTF_8))));
        FullHttpResponse notAllowed = ch.readOutbound();
        assertThat(notAllowed.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(notAllowed.headers().get("allow")).isEqualTo("GET, HEAD");
        notAllowed.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aRouteAnswersItsFutureAsJsonAndABadRequestAs400() {
        AdminHandler handler = new AdminHandler(() -> Map.of("status", "UP"), () -> "");
        handler.tokens(AdminHandlerTest::agentToken);
        java.util.concurrent.CompletableFuture<Object> later = new java.util.concurrent.CompletableFuture<>();
        handler.route("/sync/reconcile", (method, params, body) -> {
            if (params.containsKey("bad")) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new IllegalArgumentException("target: required"));
            }
            return later.thenApply(x -> Map.of("method", method, "group", params.get("group"),
                    "body", new String(body, StandardCharsets.UTF_8)));
        });
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        ch.writeInbound(withToken(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/sync/reconcile?group=g1", Unpooled.copiedBuffer("{\"target\":\"demo\"}", StandardCharsets.UTF_8))));
        assertThat((Object) ch.readOutbound()).isNull(); // answered when the work completes
        later.complete("done");
        ch.runPendingTasks();
        FullHttpResponse ok = ch.readOutbound();
        assertThat(ok.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(ok.content().toString(StandardCharsets.UTF_8)).contains("\"method\":\"POST\"")
                .contains("\"group\":\"g1\"").contains("{\\\"target\\\":\\\"demo\\\"}");
        ok.release();

        ch.writeInbound(withToken(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/sync/reconcile?bad=1")));
        FullHttpResponse bad = ch.readOutbound();
        assertThat(bad.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(bad.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"target: required\"}");
        bad.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMutatingRequestWithoutAnAdmittedTokenNeverReachesTheRouteAndLeaksNothing() {
        AdminHandler handler = new AdminHandler(() -> Map.of("status", "UP"), () -> "");
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        handler.route("/sync/reconcile", (method, params, body) -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(Map.of());
        });
        EmbeddedChannel ch = new EmbeddedChannel(handler);

        ch.writeInbound(withToken(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/sync/reconcile",
                Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8))));
        FullHttpResponse noCheck = ch.readOutbound();
        assertThat(noCheck.status()).as("no control plane to ask: refused, not let through")
                .isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        noCheck.release();

        handler.tokens(token -> CompletableFuture.completedFuture(Optional.of(
                new ControlPlaneAuth.Caller("svc", "PUBLISHER"))));
        ch.writeInbound(withToken(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/sync/reconcile",
                Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8))));
        FullHttpResponse publisher = ch.readOutbound();
        assertThat(publisher.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(publisher.content().toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"role PUBLISHER may not POST /sync/reconcile on the admin port; needs ADMIN or "
                        + "AGENT\"}");
        publisher.release();

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/sync/reconcile",
                Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8)));
        FullHttpResponse none = ch.readOutbound();
        assertThat(none.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(none.headers().get("www-authenticate")).isEqualTo("Bearer");
        none.release();

        handler.tokens(token -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        ch.writeInbound(withToken(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/sync/reconcile")));
        FullHttpResponse failed = ch.readOutbound();
        assertThat(failed.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(failed.content().toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"cannot check the token now\"}");
        failed.release();

        assertThat(calls).hasValue(0);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
