package io.topaz.demo;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

class DemoUpstreamTest {

    private static final Clock NOON_UTC = Clock.fixed(Instant.parse("2026-11-24T04:00:00Z"), ZoneOffset.UTC);

    private static String call(EmbeddedChannel ch, String method, String form, String... headers) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api",
                Unpooled.copiedBuffer(form, StandardCharsets.UTF_8));
        if (method != null) {
            req.headers().set("X-Topaz-Method", method);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            req.headers().set(headers[i], headers[i + 1]);
        }
        ch.writeInbound(req);
        ch.runScheduledPendingTasks();
        FullHttpResponse res = ch.readOutbound();
        try {
            return res.status().code() + " " + res.content().toString(StandardCharsets.UTF_8);
        } finally {
            res.release();
        }
    }

    @Test
    void demoApisFollowTheContract() {
        EmbeddedChannel ch = new EmbeddedChannel(new DemoHandler(new DemoApis(NOON_UTC, ZoneId.of("Asia/Shanghai"))));
        assertThat(call(ch, "taobao.time.get", "")).isEqualTo("200 {\"time\":\"2026-11-24 12:00:00\"}");
        assertThat(call(ch, "taobao.user.seller.get", "")).contains("isv.session-required").startsWith("200 ");
        assertThat(call(ch, "taobao.user.seller.get", "", "X-Topaz-User-Id", "42"))
                .contains("\"user_id\":\"42\"").contains("seller-42");
        assertThat(call(ch, "taobao.user.seller.get", "", "X-Topaz-User-Id", "42", "X-Topaz-User-Nick",
                "%E5%B0%8F%E5%BA%97%20one")).contains("\"nick\":\"小店 one\"");
        assertThat(call(ch, "taobao.item.get", "num_iid=123&fields=title")).contains("\"num_iid\":123")
                .contains("Demo item 123").contains("\"fields\":\"title\"");
        assertThat(call(ch, "taobao.item.get", "num_iid=120")).contains("isv.item-not-exist");
        assertThat(call(ch, "taobao.item.get", "num_iid=abc")).contains("isv.invalid-parameter");
        assertThat(call(ch, "topaz.demo.echo", "a=1&b=%E4%B8%AD", "X-Topaz-App-Key", "k", "X-Topaz-Request-Id", "r1"))
                .contains("\"a\":\"1\"").contains("\"b\":\"中\"").contains("\"x-topaz-app-key\":\"k\"")
                .contains("\"x-topaz-request-id\":\"r1\"");
        assertThat(call(ch, "no.such.api", "")).startsWith("404 ").contains("isp.unknown-method");
        assertThat(call(ch, null, "")).startsWith("404 ");
        assertThat(call(ch, "topaz.demo.sleep", "millis=abc")).contains("isv.invalid-parameter");
        assertThat(call(ch, "topaz.demo.echo", "bad=%ZZ")).startsWith("400 ").contains("isv.invalid-encoding");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void sleepIsScheduledNotSlept() {
        EmbeddedChannel ch = new EmbeddedChannel(new DemoHandler(new DemoApis(NOON_UTC, ZoneId.of("Asia/Shanghai"))));
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api",
                Unpooled.copiedBuffer("millis=50000", StandardCharsets.UTF_8));
        req.headers().set("X-Topaz-Method", "topaz.demo.sleep");
        ch.writeInbound(req); // returns at once: the answer is a scheduled task
        assertThat((Object) ch.readOutbound()).isNull();
        assertFalse(ch.finishAndReleaseAll()); // closing cancels the pending answer
    }

    @Test
    void realServerKeepsConnectionsAlive() throws Exception {
        try (DemoUpstream up = DemoUpstream.start("127.0.0.1", 0, 1, NOON_UTC)) {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + up.port() + "/x"))
                        .header("X-Topaz-Method", "taobao.time.get")
                        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("{\"time\":\"2026-11-24 12:00:00\"}");
            }
            HttpResponse<String> health = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + up.port()
                    + "/health")).build(), HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
            assertThat(health.body()).contains("UP");
        }
    }
}
