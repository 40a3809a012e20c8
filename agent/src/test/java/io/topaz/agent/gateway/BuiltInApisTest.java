package io.topaz.agent.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.agent.metadata.TestMetadata;
import io.topaz.agent.traffic.TrafficControl;
import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.FlowRule;
import io.topaz.model.config.FlowScope;
import io.topaz.model.json.Json;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Built-in APIs ({@link BuiltInApis}) pass the same checks as configured ones — signature, the app's permission for
 * the API's group, session, required parameters, flow control — then skip routing and are answered by the built-in,
 * wrapped and rendered as an upstream's answer would be, in batches too.
 */
class BuiltInApisTest {

    private static final String APP = "builtin-app";
    private static final String SECRET = "builtin-secret-0123456789";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Built-ins: an echo (group tmc), one needing a session, one of a group the app lacks, one that fails, one that
     * refuses, one under a flow rule.
     */
    static final class Fake implements BuiltInApis {
        final AtomicInteger served = new AtomicInteger();
        final Map<String, ApiDefinition> apis = Map.of(
                "taobao.tmc.echo", new ApiDefinition("taobao.tmc.echo", "tmc", List.of(), null, false, List.of("word")),
                "taobao.tmc.mine", new ApiDefinition("taobao.tmc.mine", "tmc", List.of(), null, true, List.of()),
                "taobao.tmc.vip", new ApiDefinition("taobao.tmc.vip", "vip", List.of(), null, false, List.of()),
                "taobao.tmc.broken", new ApiDefinition("taobao.tmc.broken", "tmc", List.of(), null, false, List.of()),
                "taobao.tmc.refuse", new ApiDefinition("taobao.tmc.refuse", "tmc", List.of(), null, false, List.of()),
                "taobao.tmc.limited", new ApiDefinition("taobao.tmc.limited", "tmc", List.of(), null, false, List.of()));

        @Override
        public ApiDefinition api(String method) {
            return apis.get(method);
        }

        @Override
        public CompletableFuture<Answer> serve(Call call) {
            served.incrementAndGet();
            return switch (call.method()) {
                case "taobao.tmc.broken" -> CompletableFuture.failedFuture(new IllegalStateException("a bug"));
                case "taobao.tmc.refuse" -> CompletableFuture.supplyAsync(() ->
                        Answer.of(TopError.of(15, "isv.topic-not-exist", "no such topic")));
                default -> CompletableFuture.supplyAsync(() -> { // on another thread, as the broker answers
                    ObjectNode o = NODES.objectNode();
                    o.put("word", call.params().get("word"));
                    o.put("release", call.config().release());
                    o.put("api_group", call.api().apiGroup());
                    return Answer.of(o);
                });
            };
        }
    }

    private static final Fake fake = new Fake();
    private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private static final ExecutorService executor = Executors.newFixedThreadPool(2);
    private static GatewayServer server;
    private static TrafficControl traffic;
    private static MetadataClient metadata;
    private static int port;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        ConfigSnapshot config = ConfigSnapshot.builder(3)
                .put(ConfigKind.FLOW_RULES, new FlowRule("limited-qps", FlowScope.API, "taobao.tmc.limited", null, 1, null))
                .build();
        traffic = new TrafficControl(Clock.fixed(Instant.parse("2026-12-02T03:00:00Z"), ZoneOffset.UTC),
                ZoneId.of("Asia/Shanghai"), "default", () -> 1, null, "builtin:",
                Files.createTempDirectory("builtin-traffic"), new SimpleMeterRegistry());
        traffic.apply(config);
        metadata = TestMetadata.withApp(APP, SECRET, List.of("tmc"), executor);
        server = new GatewayServer(() -> config, metadata, registry, Clock.systemUTC(),
                GatewayLimits.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)), traffic, fake);
        port = server.start("127.0.0.1", 0, 1);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        traffic.close();
        metadata.close();
        executor.shutdownNow();
    }

    private static Map<String, String> signed(String format, String method, String... extra) {
        return GatewayHarness.signedBy(APP, SECRET, format, method, extra);
    }

    private static String post(String path, String body, String contentType) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static String call(String format, String method, String... extra) throws Exception {
        return post("/router/rest", GatewayHarness.query(signed(format, method, extra)),
                "application/x-www-form-urlencoded");
    }

    private static JsonNode json(String method, String... extra) throws Exception {
        return Json.lenient().readTree(call("json", method, extra));
    }

    @Test
    void aBuiltInIsAnsweredByTheAgentWrappedAsAnUpstreamsAnswer() throws Exception {
        JsonNode r = json("taobao.tmc.echo", "word", "hello").get("tmc_echo_response");
        assertThat(r.get("word").asString()).isEqualTo("hello");
        assertThat(r.get("release").asLong()).as("the call's snapshot").isEqualTo(3);
        assertThat(r.get("api_group").asString()).isEqualTo("tmc");
        assertThat(r.get("request_id").asString()).isNotEmpty();
        assertThat(call("xml", "taobao.tmc.echo", "word", "a<b")).startsWith("<?xml")
                .contains("<tmc_echo_response><word>a&lt;b</word><release>3</release>");
        assertThat(call("json", "taobao.tmc.echo", "word", "x", "simplify", "true")).startsWith("{\"word\":\"x\"");
        assertThat(registry.get("topaz.gateway.requests").tag("method", "taobao.tmc.echo").counter().count())
                .as("a built-in is a known method in the metrics").isGreaterThanOrEqualTo(3);
    }

    @Test
    void aBuiltInPassesTheSameChecksFirst() throws Exception {
        int before = fake.served.get();
        assertThat(json("taobao.tmc.echo").at("/error_response/sub_code").asString())
                .isEqualTo("isv.missing-parameter:word");
        assertThat(json("taobao.tmc.vip").at("/error_response/sub_code").asString())
                .isEqualTo("isv.permission-api-package-limit");
        assertThat(json("taobao.tmc.mine").at("/error_response/code").asInt()).as("session required").isEqualTo(26);
        Map<String, String> forged = signed("json", "taobao.tmc.echo", "word", "x");
        forged.put("word", "y");
        assertThat(post("/router/rest", GatewayHarness.query(forged), "application/x-www-form-urlencoded"))
                .contains("isv.invalid-signature");
        assertThat(json("taobao.tmc.nope").at("/error_response/code").asInt()).isEqualTo(22);
        assertThat(fake.served.get()).as("none of them reached the built-in").isEqualTo(before);
    }

    @Test
    void flowControlAppliesToBuiltIns() throws Exception {
        // one call a second to taobao.tmc.limited, on a clock that never moves: only the first ever passes
        int before = fake.served.get();
        assertThat(json("taobao.tmc.limited").has("tmc_limited_response")).isTrue();
        JsonNode limited = json("taobao.tmc.limited").get("error_response");
        assertThat(limited.get("code").asInt()).isEqualTo(7);
        assertThat(limited.get("sub_code").asString()).isEqualTo("accesscontrol.limited-by-api-access-count");
        assertThat(fake.served.get() - before).isEqualTo(1);
    }

    @Test
    void aBuiltInsErrorsAndFailuresAreTopErrors() throws Exception {
        JsonNode refused = json("taobao.tmc.refuse").get("error_response");
        assertThat(refused.get("code").asInt()).isEqualTo(15);
        assertThat(refused.get("sub_code").asString()).isEqualTo("isv.topic-not-exist");
        JsonNode broken = json("taobao.tmc.broken").get("error_response");
        assertThat(broken.get("code").asInt()).isEqualTo(10);
        assertThat(broken.get("sub_code").asString()).isEqualTo("isp.internal-error");
    }

    @Test
    void aBatchServesBuiltInSubCalls() throws Exception {
        Map<String, String> q = signed("json", "taobao.tmc.echo");
        q.remove("method");
        q.remove("sign");
        String body = "method=taobao.tmc.echo&word=one\r\n-S-\r\nmethod=taobao.tmc.vip";
        q.put("sign", TopSigner.sign(q, body, SECRET, SignMethod.HMAC));
        String answer = post("/router/batch?" + GatewayHarness.query(q), body, "text/plain;charset=UTF-8");
        String[] parts = answer.split("\r\n-S-\r\n");
        assertThat(parts).hasSize(2);
        assertThat(parts[0]).startsWith("{\"tmc_echo_response\":{\"word\":\"one\"");
        assertThat(parts[1]).contains("isv.permission-api-package-limit");
    }
}
