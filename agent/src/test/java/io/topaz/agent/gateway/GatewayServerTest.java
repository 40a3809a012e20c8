package io.topaz.agent.gateway;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.nio.NioIoHandler;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.metadata.RedisSupport;
import io.topaz.agent.metadata.TestMetadata;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The gateway on a real socket under concurrent calls: every call answered, and nothing blocked an event loop. */
class GatewayServerTest {

    @Test
    void concurrentSignedCallsSucceedAndNoEventLoopBlocks() throws Exception {
        GatewayHarness h = GatewayHarness.get();
        HttpClient http = HttpClient.newHttpClient();
        GatewayHarness.concurrentSignedCalls(http, h.port, 300);
        // a missing required parameter, decided before any upstream call
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port
                + "/router/rest?" + GatewayHarness.query(GatewayHarness.signed("taobao.item.get")))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.body()).contains("\"code\":40").contains("isv.missing-parameter:num_iid");
        assertThat(GatewayHarness.BLOCKING_CALLS).isEmpty();
    }

    @Test
    void callsWhoseAppIsReloadedThroughRedisGoOnWithoutBlockingAnEventLoop() throws Exception {
        GatewayHarness h = GatewayHarness.get();
        SimpleMeterRegistry metadataMetrics = new SimpleMeterRegistry();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        // a ticker a minute further on each read: every lookup finds the app expired or gone and reloads it through
        // L2, whose answer arrives on a Lettuce thread
        try (MetadataClient metadata = TestMetadata.withAppOnRedis(GatewayHarness.APP, GatewayHarness.SECRET,
                List.of("basic"), executor, RedisSupport.uri(), RedisSupport.prefix(),
                Duration.ofMinutes(1), metadataMetrics)) {
            GatewayServer server = h.newServer(new SimpleMeterRegistry(), metadata);
            try {
                int port = server.start("127.0.0.1", 0, 2);
                // 50, not hundreds: the harness's upstream (the JDK's HttpServer) closes idle connections past 200 in
                // all, and the gateways of this JVM share it, so a pooled connection may break when reused
                GatewayHarness.concurrentSignedCalls(HttpClient.newHttpClient(), port, 50);
            } finally {
                server.close();
            }
        } finally {
            executor.shutdownNow();
        }
        double fromL2 = metadataMetrics.find("topaz.metadata.lookups").tag("tier", "l2").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        assertThat(fromL2).isPositive(); // the Redis path was taken, not only L1 hits
        assertThat(GatewayHarness.BLOCKING_CALLS).isEmpty();
    }

    @Test
    void theLatencyIsSplitIntoTheUpstreamsShareAndTheGatewaysOwn() throws Exception {
        GatewayHarness h = GatewayHarness.get();
        HttpClient http = HttpClient.newHttpClient();
        // one call first, so that the gateway registers the timers (a test registering one first would give it no buckets)
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port + "/router/rest?"
                + GatewayHarness.query(GatewayHarness.signed("taobao.item.get", "num_iid", "1")))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        Timer total = h.registry.get("topaz.gateway.latency").tag("method", "taobao.item.get").timer();
        Timer upstream = h.registry.get("topaz.gateway.upstream.latency").tag("method", "taobao.item.get").timer();
        Timer own = h.registry.get("topaz.gateway.own.latency").tag("method", "taobao.item.get").timer();
        long calls = total.count();
        long ownCalls = own.count();
        long upstreamCalls = upstream.count();
        double before = total.totalTime(TimeUnit.NANOSECONDS) - own.totalTime(TimeUnit.NANOSECONDS)
                - upstream.totalTime(TimeUnit.NANOSECONDS);
        for (int i = 0; i < 20; i++) { // odd calls miss num_iid: answered by the gateway, no upstream called
            String q = GatewayHarness.query(i % 2 == 0 ? GatewayHarness.signed("taobao.item.get", "num_iid", "1")
                    : GatewayHarness.signed("taobao.item.get"));
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port + "/router/rest?" + q))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        assertThat(total.count() - calls).isEqualTo(20);
        assertThat(own.count() - ownCalls).isEqualTo(20);
        assertThat(upstream.count() - upstreamCalls).isEqualTo(10);
        assertThat(upstream.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        double after = total.totalTime(TimeUnit.NANOSECONDS) - own.totalTime(TimeUnit.NANOSECONDS)
                - upstream.totalTime(TimeUnit.NANOSECONDS);
        assertThat(after - before).isCloseTo(0, org.assertj.core.data.Offset.offset(1_000.0)); // own + upstream = total
        // Histograms with fixed buckets, no client-side percentiles: those yield on the event loop (AgentMetrics).
        for (Timer t : List.of(total, upstream, own)) {
            assertThat(t.takeSnapshot().percentileValues()).isEmpty();
            assertThat(t.takeSnapshot().histogramCounts()).extracting(c -> c.bucket(TimeUnit.MILLISECONDS))
                    .contains(1.0, 10.0, 1_000.0).hasSize(io.topaz.agent.AgentMetrics.LATENCY_BUCKETS.length);
        }

        // A batch's sub-calls wait for their upstreams side by side: its latency is counted whole, not split.
        Timer batch = h.registry.timer("topaz.gateway.latency", "method", "batch");
        Timer batchOwn = h.registry.timer("topaz.gateway.own.latency", "method", "batch");
        long batches = batch.count();
        long batchOwnCalls = batchOwn.count();
        Map<String, String> shared = new java.util.TreeMap<>(GatewayHarness.signed("taobao.time.get"));
        shared.remove("method");
        shared.remove("sign");
        String body = "method=taobao.time.get\r\n-S-\r\nmethod=taobao.time.get";
        shared.put("sign", io.topaz.model.top.TopSigner.sign(shared, body, GatewayHarness.SECRET,
                io.topaz.model.top.SignMethod.HMAC));
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port
                        + "/router/batch?" + GatewayHarness.query(shared)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.body().split("\r\n-S-\r\n")).hasSize(2).allMatch(p -> p.startsWith("{\"time_get_response\""));
        assertThat(batch.count() - batches).isEqualTo(1);
        assertThat(batchOwn.count() - batchOwnCalls).isZero();
    }

    @Test
    void aCallOverAFlowLimitGetsCode7WithTheLimitsSubCodeAndRetryAfter() throws Exception {
        GatewayHarness h = GatewayHarness.get();
        HttpClient http = HttpClient.newHttpClient();
        int passed = 0;
        HttpResponse<String> limited = null;
        for (int i = 0; i < GatewayHarness.LIMITED_QPS + 3; i++) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port
                    + "/router/rest?" + GatewayHarness.query(GatewayHarness.signed("taobao.limited.get")))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            if (res.body().startsWith("{\"limited_get_response\"")) {
                passed++;
            } else {
                limited = res;
            }
        }
        assertThat(passed).isEqualTo(GatewayHarness.LIMITED_QPS);
        assertThat(limited.body()).startsWith("{\"error_response\":{\"code\":7,\"msg\":\"App Call Limited\"")
                .contains("\"sub_code\":\"accesscontrol.limited-by-api-access-count\"")
                .contains("taobao.limited.get is limited to 2 calls per second; retry after 1 s")
                .contains("\"request_id\":\"");
        assertThat(limited.headers().firstValue("Retry-After")).contains("1");
        assertThat(h.traffic.inFlight()).isZero(); // every admitted call gave its slot back when answered
        assertThat(GatewayHarness.BLOCKING_CALLS).isEmpty();
    }

    @Test
    void aMultipartCallsFileIsForwardedToTheUpstreamAsAFilePartAndIsNotSigned() throws Exception {
        GatewayHarness h = GatewayHarness.get();
        Map<String, String> signed = GatewayHarness.signed("taobao.picture.upload", "title", "Blue \"cup\"");
        String boundary = "test-boundary-42";
        StringBuilder body = new StringBuilder();
        signed.forEach((k, v) -> body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"")
                .append(k).append("\"\r\n\r\n").append(v).append("\r\n"));
        byte[] image = new byte[3000];
        for (int i = 0; i < image.length; i++) {
            image[i] = (byte) (i * 31);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"cup.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.writeBytes(image);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + h.port + "/router/rest"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.body()).startsWith("{\"picture_upload_response\"");

        GatewayHarness.Received got = GatewayHarness.LAST_UPLOAD.get();
        assertThat(got.contentType()).startsWith("multipart/form-data; boundary=topaz-");
        String upstreamBoundary = got.contentType().substring(got.contentType().indexOf("boundary=") + 9);
        String text = new String(got.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains("name=\"title\"").contains("Blue \"cup\"")
                .contains("name=\"image\"; filename=\"cup.png\"\r\nContent-Type: image/png\r\n\r\n")
                .doesNotContain("name=\"sign\"").doesNotContain("name=\"app_key\"")
                .endsWith("--" + upstreamBoundary + "--\r\n");
        int start = text.indexOf("Content-Type: image/png\r\n\r\n") + "Content-Type: image/png\r\n\r\n".length();
        byte[] forwarded = java.util.Arrays.copyOfRange(got.body(), start, start + image.length);
        assertThat(forwarded).isEqualTo(image);
        assertThat(GatewayHarness.LEAKS).isEmpty();
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheirOrderEvenWhenTheFirstIsSlowest() throws Exception {
        GatewayHarness h = GatewayHarness.get();
        String slow = "GET /router/rest?" + GatewayHarness.query(GatewayHarness.signed("topaz.demo.slow"))
                + " HTTP/1.1\r\nHost: x\r\n\r\n";
        GatewayHarness.SLOW_RELEASE.set(new java.util.concurrent.CountDownLatch(1));
        String fast = "GET /router/rest?" + GatewayHarness.query(GatewayHarness.signed("topaz.demo.fast"))
                + " HTTP/1.1\r\nHost: x\r\n\r\n";
        String missing = "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n";
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", h.port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((slow + fast + missing + fast).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            java.io.InputStream in = s.getInputStream();
            List<String> bodies = new ArrayList<>();
            StringBuilder all = new StringBuilder();
            byte[] buf = new byte[8192];
            while (bodies.size() < 4) {
                int n = in.read(buf);
                assertThat(n).as("answers so far: " + bodies).isPositive();
                all.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                bodies.clear();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\r\n\r\n(\\{[^\r\n]*?\\})(?=HTTP/1.1|$)")
                        .matcher(all);
                while (m.find()) {
                    bodies.add(m.group(1));
                }
            }
            assertThat(bodies.get(0)).startsWith("{\"topaz_demo_slow_response\"");
            // the upstream answered the fast call first (the slow one waited for it), yet the answers keep request order
            assertThat(bodies.get(1)).startsWith("{\"topaz_demo_fast_response\"");
            assertThat(bodies.get(2)).contains("no such endpoint");
            assertThat(bodies.get(3)).startsWith("{\"topaz_demo_fast_response\"");
        }
        assertThat(GatewayHarness.BLOCKING_CALLS).isEmpty();
    }

    @Test
    void blockHoundWouldSeeABlockingCallOnAnEventLoop() throws Exception {
        GatewayHarness.assertBlockHoundSeesABlockingCallOn(NioIoHandler.newFactory());
    }
}
