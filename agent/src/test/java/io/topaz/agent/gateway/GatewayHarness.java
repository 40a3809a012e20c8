package io.topaz.agent.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.traffic.TrafficControl;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.FlowScope;
import io.topaz.agent.metadata.TestMetadata;
import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.UpstreamEndpoint;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One gateway for the gateway tests of this JVM: BlockHound installed (recording, not throwing, so a violation shows
 * up as a failed assertion with its stack), Netty's leak reports captured, a real HTTP upstream, an in-memory app.
 */
final class GatewayHarness {

    static final String APP = "harness-app";
    static final String SECRET = "harness-secret-0123456789";
    static final List<String> BLOCKING_CALLS = io.topaz.agent.BlockingCalls.CALLS;
    static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static GatewayHarness instance;

    static final int LIMITED_QPS = 2;

    /** When set, the upstream answers topaz.demo.slow only after it has answered a topaz.demo.fast call. */
    static final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> SLOW_RELEASE =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** What the upstream last received for taobao.picture.upload. */
    record Received(String contentType, byte[] body) {
    }

    static final java.util.concurrent.atomic.AtomicReference<Received> LAST_UPLOAD =
            new java.util.concurrent.atomic.AtomicReference<>();

    final int port;
    final GatewayServer server;
    final TrafficControl traffic;
    final HttpServer upstream;
    /** The harness gateway's metrics. */
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ConfigSnapshot config;
    private final MetadataClient metadata;

    private GatewayHarness() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 2048); // the gateway may open hundreds of connections at once
        upstream.setExecutor(Executors.newFixedThreadPool(4));
        upstream.createContext("/", ex -> {
            byte[] received = ex.getRequestBody().readAllBytes();
            String upstreamMethod = ex.getRequestHeaders().getFirst("X-Topaz-Method");
            java.util.concurrent.CountDownLatch release = SLOW_RELEASE.get();
            if ("topaz.demo.fast".equals(upstreamMethod) && release != null) {
                release.countDown();
            }
            if ("topaz.demo.slow".equals(upstreamMethod) && release != null) {
                try { // answers only after a topaz.demo.fast call has been answered; the upstream's thread waits
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if ("taobao.picture.upload".equals(ex.getRequestHeaders().getFirst("X-Topaz-Method"))) {
                LAST_UPLOAD.set(new Received(ex.getRequestHeaders().getFirst("Content-Type"), received));
            }
            byte[] b = answer(upstreamMethod, received).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        upstream.start();
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/time";
        config = ConfigSnapshot.builder(1)
                .put(ConfigKind.APIS, new ApiDefinition("taobao.time.get", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("taobao.item.get", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of("num_iid")))
                .put(ConfigKind.APIS, new ApiDefinition("topaz.demo.slow", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 15000, false, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("topaz.demo.fast", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("taobao.picture.upload", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of("title")))
                .put(ConfigKind.APIS, new ApiDefinition("topaz.demo.echo", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("taobao.trades.sold.get", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("topaz.demo.broken", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("taobao.trade.get", "trade", // a group the app lacks: 11
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("taobao.user.seller.get", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, true, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("topaz.demo.down", "basic", // nothing listens on port 1
                        List.of(new UpstreamEndpoint("http://127.0.0.1:1/down", 100)), 3000, false, List.of()))
                .put(ConfigKind.APIS, new ApiDefinition("taobao.once.get", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of()))
                .put(ConfigKind.FLOW_RULES, new FlowRule("once-qps", FlowScope.API, "taobao.once.get", null, 1, null))
                .put(ConfigKind.APIS, new ApiDefinition("taobao.limited.get", "basic",
                        List.of(new UpstreamEndpoint(url, 100)), 3000, false, List.of()))
                .put(ConfigKind.FLOW_RULES, new FlowRule("limited-qps", FlowScope.API, "taobao.limited.get", null,
                        LIMITED_QPS, null))
                .build();
        // traffic control on a clock that never moves: exactly LIMITED_QPS calls of taobao.limited.get ever pass
        traffic = new TrafficControl(Clock.fixed(java.time.Instant.parse("2026-12-02T03:00:00Z"),
                java.time.ZoneOffset.UTC), java.time.ZoneId.of("Asia/Shanghai"), "default", () -> 1, null,
                "harness:", java.nio.file.Files.createTempDirectory("harness-traffic"), new SimpleMeterRegistry());
        traffic.apply(config);
        metadata = TestMetadata.withApp(APP, SECRET, List.of("basic"), Executors.newFixedThreadPool(2));
        server = newServer(registry);
        port = server.start("127.0.0.1", 0, 2);
    }

    /** The upstream's answer to {@code method}, given the form body it received. */
    private static String answer(String method, byte[] received) {
        if ("topaz.demo.echo".equals(method)) { // the form as received (URL-encoded: nothing to escape in JSON)
            return "{\"received\":\"" + new String(received, StandardCharsets.US_ASCII) + "\"}";
        }
        if ("taobao.trades.sold.get".equals(method)) {
            return tradesAnswer();
        }
        if ("topaz.demo.broken".equals(method)) { // braces around something that is not JSON
            return "{\"time\": oops}";
        }
        return "{\"time\":\"2026-11-24 12:00:00\"}";
    }

    /** A list answer in TOP's shape, about 3 KB: 40 trades. */
    static String tradesAnswer() {
        StringBuilder sb = new StringBuilder("{\"trades\":{\"trade\":[");
        for (int i = 0; i < 40; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"tid\":").append(1000 + i)
                    .append(",\"title\":\"Blue cup & <saucer> no. ").append(i).append("\",\"paid\":").append(i % 2 == 0)
                    .append('}');
        }
        return sb.append("]},\"total_results\":40}").toString();
    }

    /** Another gateway, not started, with this one's config, app, upstream and traffic control; caller closes it. */
    GatewayServer newServer(io.micrometer.core.instrument.MeterRegistry metrics) {
        return newServer(metrics, metadata);
    }

    /** As {@link #newServer(io.micrometer.core.instrument.MeterRegistry)}, reading apps through {@code metadata}. */
    GatewayServer newServer(io.micrometer.core.instrument.MeterRegistry metrics, MetadataClient metadata) {
        return new GatewayServer(() -> config, metadata, metrics, Clock.systemUTC(),
                GatewayLimits.defaults().withTimeouts(java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(5)),
                traffic);
    }

    static synchronized GatewayHarness get() throws Exception {
        if (instance == null) {
            io.topaz.agent.BlockingCalls.install();
            Logger leakLogger = (Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector");
            AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
                @Override
                protected void append(ILoggingEvent e) {
                    if (e.getFormattedMessage().contains("LEAK")) {
                        LEAKS.add(e.getFormattedMessage());
                    }
                }
            };
            appender.start();
            leakLogger.addAppender(appender);
            instance = new GatewayHarness();
        }
        return instance;
    }

    /** A signed call asking for JSON answers. */
    static Map<String, String> signed(String method, String... extra) {
        return signedAs("json", method, extra);
    }

    /** A signed call asking for answers in {@code format}; null: no format parameter (TOP's default, XML). */
    static Map<String, String> signedAs(String format, String method, String... extra) {
        return signedBy(APP, SECRET, format, method, extra);
    }

    /** As {@link #signedAs}, for another app (hmac, TOP's timestamp in GMT+8). */
    static Map<String, String> signedBy(String appKey, String secret, String format, String method, String... extra) {
        Map<String, String> p = new TreeMap<>();
        if (format != null) {
            p.put("format", format);
        }
        p.put("method", method);
        p.put("app_key", appKey);
        p.put("timestamp", LocalDateTime.now(ZoneId.of("GMT+8")).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
        p.put("v", "2.0");
        p.put("sign_method", "hmac");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            p.put(extra[i], extra[i + 1]);
        }
        p.put("sign", TopSigner.sign(p, null, secret, SignMethod.HMAC));
        return p;
    }

    /**
     * Sends {@code n} signed taobao.time.get calls at once to the gateway on {@code port}, alternately by GET and by
     * form POST, and asserts that each is answered with the upstream's time.
     */
    static void concurrentSignedCalls(HttpClient http, int port, int n) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String q = query(signed("taobao.time.get", "n", Integer.toString(i)));
            String url = "http://127.0.0.1:" + port + "/router/rest";
            HttpRequest r = i % 2 == 0
                    ? HttpRequest.newBuilder(URI.create(url + "?" + q)).build()
                    : HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(q)).build();
            calls.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
        }
        for (var c : calls) {
            HttpResponse<String> res = c.get(30, TimeUnit.SECONDS);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body())
                    .startsWith("{\"time_get_response\":{\"time\":\"2026-11-24 12:00:00\",\"request_id\":\"");
        }
    }

    /**
     * Makes a blocking call on purpose on an event loop of {@code io}'s transport and asserts that BlockHound recorded
     * it (then drops that one record): the check that the harness would see a real one.
     */
    static void assertBlockHoundSeesABlockingCallOn(IoHandlerFactory io) throws Exception {
        get();
        int before = BLOCKING_CALLS.size();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io);
        try {
            group.submit(Thread::yield).get(10, TimeUnit.SECONDS); // blocking to BlockHound, and waits for nothing
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(BLOCKING_CALLS).hasSize(before + 1);
        assertThat(BLOCKING_CALLS.get(before)).contains("yield");
        BLOCKING_CALLS.remove(before); // the deliberate one
    }

    static String query(Map<String, String> p) {
        StringBuilder sb = new StringBuilder();
        p.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&")
                .append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return sb.toString();
    }

}
