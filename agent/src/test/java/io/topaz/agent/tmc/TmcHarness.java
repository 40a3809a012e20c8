package io.topaz.agent.tmc;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.gateway.GatewayLimits;
import io.topaz.agent.gateway.GatewayServer;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.Subscription;
import io.topaz.model.config.Topic;
import io.topaz.model.config.UpstreamEndpoint;
import io.topaz.model.json.Json;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real gateway serving the message service's built-in methods ({@link TmcApis}) over a {@link TestBroker}, with the
 * metadata cache reading a {@link FakeControlPlane} over HTTP (its real {@code ControlPlaneSource}) and the permit
 * and group methods calling the fake's AGENT API (the real {@link ControlPlaneTmc}). Its changes invalidate the cache
 * as the control plane's metadata events would.
 */
final class TmcHarness implements AutoCloseable {

    static final String CONSUMER = "consumer-app";
    static final String OTHER = "other-app";
    static final String PRODUCER = "producer-app";
    static final String PLAIN = "plain-app";
    static final String SECRET = "secret-0123456789";
    static final String CHANGED = "taobao_trade_TradeChanged";
    static final String CREATED = "taobao_trade_TradeCreate";
    static final String REFUND = "taobao_refund_RefundCreated";
    static final String SELLER_A = "1001";
    static final String SELLER_B = "1002";
    static final String SELLER_C = "1003";
    static final String SESSION_A = "session-a-consumer";
    static final String SESSION_A_OTHER = "session-a-other";
    static final String SESSION_B = "session-b-consumer";
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    final ConfigSnapshot config;
    final FakeControlPlane controlPlane;
    final TestBroker broker = new TestBroker();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MetadataClient metadata;
    final TmcApis apis;
    final GatewayServer gateway;
    final int port;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final HttpClient http = HttpClient.newHttpClient();

    TmcHarness(boolean withBroker) throws Exception {
        config = ConfigSnapshot.builder(7)
                .put(ConfigKind.TOPICS, new Topic(CHANGED, "taobao_trade", "", List.of(PRODUCER, CONSUMER), "tid"))
                .put(ConfigKind.TOPICS, new Topic(CREATED, "taobao_trade", "", List.of(PRODUCER), null))
                .put(ConfigKind.TOPICS, new Topic(REFUND, "taobao_refund", "", List.of(), null))
                .put(ConfigKind.SUBSCRIPTIONS, new Subscription(CONSUMER, List.of(CHANGED, CREATED), 5_000L))
                .put(ConfigKind.SUBSCRIPTIONS, new Subscription(OTHER, List.of(CHANGED)))
                // an ordinary API, to show the others still route
                .put(ConfigKind.APIS, new ApiDefinition("taobao.time.get", "basic",
                        List.of(new UpstreamEndpoint("http://127.0.0.1:1/", 100)), 1000, false, List.of()))
                .build();
        controlPlane = new FakeControlPlane(() -> config);
        for (String app : List.of(CONSUMER, OTHER, PRODUCER)) {
            controlPlane.app(app, SECRET, List.of("tmc"));
        }
        controlPlane.app(PLAIN, SECRET, List.of("basic"));
        controlPlane.sellers.put(SELLER_A, "seller-a");
        controlPlane.sellers.put(SELLER_B, "seller-b");
        controlPlane.sellers.put(SELLER_C, "seller-c");
        controlPlane.sellers.put("u-text", "text-seller"); // not TOP's kind of id: not a message-service seller
        controlPlane.session(SESSION_A, CONSUMER, SELLER_A);
        controlPlane.session(SESSION_A_OTHER, OTHER, SELLER_A);
        controlPlane.session(SESSION_B, CONSUMER, SELLER_B);
        metadata = MetadataClient.create(new MetadataSettings(controlPlane.url(), FakeControlPlane.TOKEN, null, null),
                null, null, Clock.systemUTC(), executor, registry).start();
        controlPlane.onChange = (kind, keyAndVersion) -> {
            String key = keyAndVersion.substring(0, keyAndVersion.lastIndexOf(':'));
            long version = Long.parseLong(keyAndVersion.substring(keyAndVersion.lastIndexOf(':') + 1));
            (kind.equals("TMC_USER") ? metadata.tmcUsers() : metadata.tmcGroups()).invalidate(key, version);
        };
        apis = new TmcApis(withBroker ? broker : null, metadata,
                new ControlPlaneTmc(controlPlane.url(), FakeControlPlane.TOKEN, executor), Clock.systemUTC(), ZONE,
                registry);
        gateway = new GatewayServer(() -> config, metadata, registry, Clock.systemUTC(),
                GatewayLimits.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)), null, apis);
        port = gateway.start("127.0.0.1", 0, 2);
    }

    /** Forgets every permit, group and message, and what the cache holds of them. */
    void reset() {
        controlPlane.reset();
        broker.reset();
        metadata.tmcUsers().invalidateAll();
        metadata.tmcGroups().invalidateAll();
    }

    /** A signed call of {@code app} answered in JSON, parsed. */
    JsonNode call(String app, String method, String... params) throws Exception {
        return Json.lenient().readTree(raw(app, "json", method, params));
    }

    /** The answer's body as sent, in {@code format}. */
    String raw(String app, String format, String method, String... params) throws Exception {
        Map<String, String> p = new TreeMap<>();
        if (format != null) {
            p.put("format", format);
        }
        p.put("method", method);
        p.put("app_key", app);
        p.put("timestamp", LocalDateTime.now(ZONE).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
        p.put("v", "2.0");
        p.put("sign_method", "hmac");
        for (int i = 0; i + 1 < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        p.put("sign", TopSigner.sign(p, null, SECRET, SignMethod.HMAC));
        StringBuilder form = new StringBuilder();
        p.forEach((k, v) -> form.append(form.length() == 0 ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/router/rest"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
        HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new AssertionError("HTTP " + res.statusCode() + ": " + res.body());
        }
        return res.body();
    }

    /** The seller permits {@code app} (with {@code session}) for {@code topics} (none: all subscribed). */
    void permit(String app, String session, String topics) throws Exception {
        JsonNode r = topics == null ? call(app, "taobao.tmc.user.permit", "session", session)
                : call(app, "taobao.tmc.user.permit", "session", session, "topics", topics);
        if (!r.path("tmc_user_permit_response").path("is_success").asBoolean(false)) {
            throw new AssertionError("permit failed: " + r);
        }
    }

    /** Produces {@code content} on {@code topic} as the producer app; the answer. */
    JsonNode produce(String topic, String content, String... more) throws Exception {
        String[] params = new String[4 + more.length];
        params[0] = "topic";
        params[1] = topic;
        params[2] = "content";
        params[3] = content;
        System.arraycopy(more, 0, params, 4, more.length);
        return call(PRODUCER, "taobao.tmc.message.produce", params);
    }

    static JsonNode error(JsonNode answer) {
        JsonNode e = answer.get("error_response");
        if (e == null) {
            throw new AssertionError("expected an error_response, got " + answer);
        }
        return e;
    }

    @Override
    public void close() {
        gateway.close();
        metadata.close();
        controlPlane.close();
        executor.shutdownNow();
    }
}
