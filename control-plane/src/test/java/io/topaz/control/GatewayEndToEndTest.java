package io.topaz.control;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.model.json.Json;
import io.topaz.model.metrics.PrometheusText;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A TOP client's view of the gateway: a real control plane, an agent with its gateway, and real HTTP upstreams (the
 * JDK's server, following docs/upstream-contract.md). Signed calls by GET and POST, every platform error the caller
 * can cause, business errors and timeouts from upstreams, failover when an instance is down, and a release that moves
 * an API to another upstream without a restart.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayEndToEndTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    static Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Map<String, String>> lastSeen = new ConcurrentHashMap<>();
    private final AtomicInteger upstreamBCalls = new AtomicInteger();
    /** Released when the tests end: the upstream of topaz.demo.sleep answers only then. */
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private HttpServer upstreamA;
    private HttpServer upstreamB;
    private TopazAgent agent;
    private AgentSettings agentSettings;
    private String secret;
    private String gateway;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    @BeforeAll
    void start() throws Exception {
        upstreamA = upstream("A", null);
        upstreamB = upstream("B", upstreamBCalls);
        RestApi admin = admin();
        RestApi op = withRole("OPERATOR");
        secret = admin.post("/api/v1/apps", "{\"appKey\":\"gw-app\",\"name\":\"GW\",\"owner\":\"isv\","
                + "\"allowedApiGroups\":[\"basic\",\"user\"]}").json("secret").asString();
        assertThat(op.post("/api/v1/users", "{\"userId\":\"seller-7\",\"nick\":\"seven\"}").status()).isEqualTo(201);
        String a = "http://127.0.0.1:" + upstreamA.getAddress().getPort() + "/a";
        String dead = "http://127.0.0.1:" + deadPort() + "/dead";
        op.post("/api/v1/apis", api("taobao.time.get", "basic", "[{\"url\":\"" + a + "\",\"weight\":100}]", 3000, false, ""));
        op.post("/api/v1/apis", api("taobao.user.seller.get", "user", "[{\"url\":\"" + a + "\",\"weight\":1}]", 3000, true, ""));
        op.post("/api/v1/apis", api("taobao.item.get", "basic", "[{\"url\":\"" + a + "\",\"weight\":1}]", 3000, false,
                "\"num_iid\""));
        op.post("/api/v1/apis", api("topaz.demo.sleep", "basic", "[{\"url\":\"" + a + "\",\"weight\":1}]", 300, false, ""));
        op.post("/api/v1/apis", api("topaz.demo.failover", "basic", "[{\"url\":\"" + dead + "\",\"weight\":100},"
                + "{\"url\":\"" + a + "\",\"weight\":1}]", 3000, false, ""));
        op.post("/api/v1/apis", api("topaz.demo.down", "basic", "[{\"url\":\"" + dead + "\",\"weight\":1}]", 3000, false, ""));
        op.post("/api/v1/apis", api("taobao.trade.get", "trade", "[{\"url\":\"" + a + "\",\"weight\":1}]", 3000, false, ""));
        long release = op.publish("gateway test").json("number").asLong();

        String token = admin.post("/api/v1/tokens", "{\"name\":\"gw-agents\",\"role\":\"AGENT\"}").json("token").asString();
        int gatewayPort = deadPort();
        agentSettings = AgentSettings.of("gw-1", TestZooKeeper.connectString(), dataDir.resolve("gw"))
                .withZkRoot(ROOT)
                .withGatewayPort(gatewayPort)
                .withMetadata(new MetadataSettings("http://127.0.0.1:" + port, token, null, null));
        agent = TopazAgent.start(agentSettings, Clock.systemUTC());
        gateway = "http://127.0.0.1:" + agent.gatewayPort() + "/router/rest";
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.appliedRelease() == release);
    }

    @AfterAll
    void stop() {
        stopped.countDown();
        if (agent != null) {
            agent.close();
        }
        upstreamA.stop(0);
        upstreamB.stop(0);
    }

    private static String api(String method, String group, String upstreams, int timeout, boolean session, String required) {
        return "{\"method\":\"" + method + "\",\"apiGroup\":\"" + group + "\",\"upstreams\":" + upstreams
                + ",\"timeoutMillis\":" + timeout + ",\"sessionRequired\":" + session + ",\"requiredParameters\":["
                + required + "]}";
    }

    /** A real HTTP upstream following the contract: answers by X-Topaz-Method. */
    private HttpServer upstream(String name, AtomicInteger calls) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 2048);
        s.setExecutor(Executors.newFixedThreadPool(4));
        s.createContext("/", ex -> {
            if (calls != null) {
                calls.incrementAndGet();
            }
            String method = ex.getRequestHeaders().getFirst("X-Topaz-Method");
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> seen = new TreeMap<>(form(body));
            ex.getRequestHeaders().forEach((k, v) -> {
                if (k.toLowerCase().startsWith("x-topaz-")) {
                    seen.put("header:" + k.toLowerCase(), v.get(0));
                }
            });
            lastSeen.put(method, seen);
            switch (method) {
                case "taobao.time.get", "topaz.demo.failover", "taobao.trade.get", "topaz.demo.limited", "topaz.demo.metered" ->
                        reply(ex, 200, "{\"time\":\"2026-11-24 12:00:00\",\"served_by\":\"" + name + "\"}");
                case "taobao.user.seller.get" -> reply(ex, 200, "{\"user\":{\"user_id\":\""
                        + ex.getRequestHeaders().getFirst("X-Topaz-User-Id") + "\"}}");
                case "taobao.item.get" -> reply(ex, 200,
                        "{\"error_response\":{\"sub_code\":\"isv.item-not-exist\",\"sub_msg\":\"no item " + seen.get("num_iid") + "\"}}");
                case "topaz.demo.sleep" -> {
                    try { // never answers within the API's timeout: it waits until the test class ends
                        stopped.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    reply(ex, 200, "{\"slept\":true}");
                }
                default -> reply(ex, 404, "{}");
            }
        });
        s.start();
        return s;
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static Map<String, String> form(String body) {
        if (body.isEmpty()) {
            return Map.of();
        }
        return java.util.Arrays.stream(body.split("&")).map(kv -> kv.split("=", 2)).collect(Collectors.toMap(
                kv -> java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                kv -> kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : ""));
    }

    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Map<String, String> params(String method, SignMethod sm, String... extra) {
        return params("gw-app", secret, method, sm, extra);
    }

    private static Map<String, String> params(String appKey, String secret, String method, SignMethod sm,
                                              String... extra) {
        Map<String, String> p = new TreeMap<>();
        p.put("method", method);
        p.put("app_key", appKey);
        p.put("timestamp", LocalDateTime.now(ZoneId.of("GMT+8")).format(TS));
        p.put("v", "2.0");
        p.put("format", "json");
        p.put("sign_method", sm.wireName());
        for (int i = 0; i + 1 < extra.length; i += 2) {
            p.put(extra[i], extra[i + 1]);
        }
        p.put("sign", TopSigner.sign(p, null, secret, sm));
        return p;
    }

    private static String query(Map<String, String> p) {
        return p.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private JsonNode get(Map<String, String> p) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(gateway + "?" + query(p))).GET().build());
    }

    private JsonNode post(Map<String, String> p) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(gateway))
                .header("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(query(p))).build());
    }

    private JsonNode send(HttpRequest r) throws Exception {
        // A bounded wait: a call that is never answered fails the test instead of hanging the build.
        HttpRequest bounded = HttpRequest.newBuilder(r, (name, value) -> true).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> res = http.send(bounded, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return Json.lenient().readTree(res.body());
    }

    private static void assertError(JsonNode r, int code, String subCode) {
        JsonNode e = r.get("error_response");
        assertThat(e).as(r.toString()).isNotNull();
        assertThat(e.get("code").asInt()).as(r.toString()).isEqualTo(code);
        if (subCode != null) {
            assertThat(e.get("sub_code").asString()).as(r.toString()).startsWith(subCode);
        }
        assertThat(e.get("msg").asString()).isNotBlank();
        assertThat(e.get("request_id").asString()).isNotBlank();
    }

    @Test
    void signedCallsByGetAndPostReachTheUpstream() throws Exception {
        JsonNode r = get(params("taobao.time.get", SignMethod.MD5, "extra", "value 1"));
        JsonNode body = r.get("time_get_response");
        assertThat(body).as(r.toString()).isNotNull();
        assertThat(body.get("time").asString()).isEqualTo("2026-11-24 12:00:00");
        String requestId = body.get("request_id").asString();
        assertThat(requestId).isNotBlank();
        Map<String, String> seen = lastSeen.get("taobao.time.get");
        assertThat(seen).containsEntry("extra", "value 1").doesNotContainKeys("sign", "app_key", "method", "timestamp");
        assertThat(seen).containsEntry("header:x-topaz-app-key", "gw-app")
                .containsEntry("header:x-topaz-request-id", requestId)
                .containsEntry("header:x-topaz-api-group", "basic");

        JsonNode simplified = post(params("taobao.time.get", SignMethod.HMAC_SHA256, "simplify", "true"));
        assertThat(simplified.get("time").asString()).as(simplified.toString()).isEqualTo("2026-11-24 12:00:00");
        assertThat(simplified.get("request_id").asString()).isNotEqualTo(requestId);
        assertThat(post(params("taobao.time.get", SignMethod.HMAC)).has("time_get_response")).isTrue();

        // per-API metrics on the agent's admin port
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.adminPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("topaz_gateway_requests_total\\{[^}]*method=\"taobao.time.get\"[^}]*} [1-9]")
                .containsPattern("topaz_gateway_latency_seconds_bucket\\{[^}]*method=\"taobao.time.get\""
                        + "[^}]*le=\"0.001\"")
                .containsPattern("topaz_gateway_upstream_latency_seconds_count\\{[^}]*method=\"taobao.time.get\""
                        + "[^}]*} [1-9]")
                .containsPattern("topaz_gateway_own_latency_seconds_bucket\\{[^}]*method=\"taobao.time.get\""
                        + "[^}]*le=\"0.001\"")
                .contains("topaz_gateway_in_flight{")
                .doesNotContain("quantile="); // client-side percentiles would yield on event loops (AgentMetrics)
        // p50 and p99 are read from the buckets, as Prometheus' histogram_quantile reads them
        List<PrometheusText.Sample> buckets = PrometheusText.samples(metrics, "topaz_gateway_latency_seconds_bucket")
                .stream().filter(s -> "taobao.time.get".equals(s.labels().get("method"))).toList();
        double calls = buckets.stream().filter(s -> "+Inf".equals(s.labels().get("le"))).findFirst().orElseThrow().value();
        assertThat(calls).isPositive();
        assertThat(buckets.stream().filter(s -> s.value() >= 0.99 * calls).map(s -> s.labels().get("le")))
                .as("a bucket below +Inf holds 99 percent of the calls: the p99 is bounded").anyMatch(le -> !le.equals("+Inf"));
        get(params("taobao.nothing.get", SignMethod.MD5));
        String after = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.adminPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(after).containsPattern("topaz_gateway_errors_total\\{[^}]*code=\"22\"[^}]*method=\"unknown\"");
    }

    @Test
    void platformErrorsCarryTopCodes() throws Exception {
        Map<String, String> noMethod = params("taobao.time.get", SignMethod.MD5);
        noMethod.remove("method");
        assertError(get(noMethod), 21, "isv.missing-parameter");
        // a format that is not served is answered in TOP's default, XML
        assertThat(http.send(HttpRequest.newBuilder(URI.create(gateway + "?" + query(params("taobao.time.get",
                        SignMethod.MD5, "format", "yaml")))).GET().build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("<error_response><code>23</code>").contains("<sub_code>isv.invalid-format</sub_code>");
        Map<String, String> badSign = params("taobao.time.get", SignMethod.MD5);
        badSign.put("sign", "0123456789ABCDEF0123456789ABCDEF");
        assertError(get(badSign), 25, "isv.invalid-signature");
        Map<String, String> otherApp = params("taobao.time.get", SignMethod.MD5);
        otherApp.put("app_key", "no-such-app");
        assertError(get(otherApp), 29, "isv.appkey-not-exists");
        Map<String, String> old = params("taobao.time.get", SignMethod.MD5, "timestamp", "2020-01-01 00:00:00");
        assertError(get(old), 31, "isv.invalid-parameter:timestamp");
        assertError(get(params("taobao.nothing.get", SignMethod.MD5)), 22, "isv.invalid-method");
        assertError(get(params("taobao.trade.get", SignMethod.MD5)), 11, "isv.permission");
        assertError(get(params("taobao.item.get", SignMethod.MD5)), 40, "isv.missing-parameter:num_iid");
        assertError(get(params("taobao.user.seller.get", SignMethod.MD5)), 26, "isv.missing-parameter:session");
        assertError(get(params("taobao.user.seller.get", SignMethod.MD5, "session", "tzs_nope")), 27, "isv.invalid-session");
        Map<String, String> v1 = params("taobao.time.get", SignMethod.MD5, "v", "1.0");
        assertError(get(v1), 33, null);

        String dup = query(params("taobao.time.get", SignMethod.MD5)) + "&method=taobao.time.get";
        assertError(send(HttpRequest.newBuilder(URI.create(gateway + "?" + dup)).GET().build()), 43, "isv.duplicate-parameter");
        assertError(send(HttpRequest.newBuilder(URI.create(gateway))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("format=json&method=%ZZ&app_key=gw-app")).build()), 47, "isv.invalid-encoding");
    }

    @Test
    void sessionsPassTheSellerToTheUpstream() throws Exception {
        String key = admin().post("/api/v1/sessions",
                "{\"appKey\":\"gw-app\",\"userId\":\"seller-7\",\"expiresInSeconds\":600}").json("sessionKey").asString();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode r = get(params("taobao.user.seller.get", SignMethod.HMAC, "session", key));
            assertThat(r.get("user_seller_get_response")).as(r.toString()).isNotNull();
            assertThat(r.get("user_seller_get_response").get("user").get("user_id").asString()).isEqualTo("seller-7");
        });
        // the nick the seller was registered with reaches the upstream, percent-encoded
        assertThat(lastSeen.get("taobao.user.seller.get")).containsEntry("header:x-topaz-user-nick", "seven");
    }

    @Test
    void upstreamErrorsTimeoutsAndFailover() throws Exception {
        JsonNode business = get(params("taobao.item.get", SignMethod.MD5, "num_iid", "40"));
        assertError(business, 15, "isv.item-not-exist");
        assertThat(business.get("error_response").get("sub_msg").asString()).isEqualTo("no item 40");

        assertError(get(params("topaz.demo.sleep", SignMethod.MD5)), 15, "isp.remote-service-timeout");
        assertError(get(params("topaz.demo.down", SignMethod.MD5)), 15, "isp.remote-connection-error");

        // The heavier-weighted instance is down: the call is retried on the other one.
        for (int i = 0; i < 5; i++) {
            JsonNode r = get(params("topaz.demo.failover", SignMethod.MD5));
            assertThat(r.get("demo_failover_response")).isNull();
            assertThat(r.get("topaz_demo_failover_response").get("served_by").asString()).as(r.toString()).isEqualTo("A");
        }
    }

    @Test
    void aBatchAnswersEverySubCallInOrder() throws Exception {
        Map<String, String> shared = new TreeMap<>();
        shared.put("app_key", "gw-app");
        shared.put("timestamp", LocalDateTime.now(ZoneId.of("GMT+8")).format(TS));
        shared.put("v", "2.0");
        shared.put("format", "json");
        shared.put("sign_method", "hmac");
        String body = String.join("\r\n-S-\r\n",
                "#PUBLIC#extra=shared",
                "method=taobao.time.get",
                "method=taobao.nothing.get",
                "method=taobao.item.get&num_iid=10",
                "method=taobao.item.get");
        shared.put("sign", TopSigner.sign(shared, body, secret, SignMethod.HMAC));
        String batchUrl = gateway.replace("/router/rest", "/router/batch");
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(batchUrl + "?" + query(shared)))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        String[] parts = res.body().split("\r\n-S-\r\n");
        assertThat(parts).hasSize(4);
        JsonNode first = Json.lenient().readTree(parts[0]);
        assertThat(first.get("time_get_response").get("time").asString()).isEqualTo("2026-11-24 12:00:00");
        assertThat(lastSeen.get("taobao.time.get")).containsEntry("extra", "shared");
        assertError(Json.lenient().readTree(parts[1]), 22, "isv.invalid-method");
        assertError(Json.lenient().readTree(parts[2]), 15, "isv.item-not-exist");
        assertError(Json.lenient().readTree(parts[3]), 40, "isv.missing-parameter:num_iid");

        // The batch as a whole fails its signature: one error_response.
        shared.put("sign", TopSigner.sign(shared, body + "tampered", secret, SignMethod.HMAC));
        JsonNode whole = send(HttpRequest.newBuilder(URI.create(batchUrl + "?" + query(shared)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertError(whole, 25, "isv.invalid-signature");
    }

    @Test
    void aReleaseMovesAnApiToAnotherUpstreamWithoutRestart() throws Exception {
        RestApi op = withRole("OPERATOR");
        long version = op.get("/api/v1/apis/taobao.trade.get").json("version").asLong();
        String b = "http://127.0.0.1:" + upstreamB.getAddress().getPort() + "/b";
        assertThat(op.put("/api/v1/apis/taobao.trade.get", api("taobao.trade.get", "basic",
                "[{\"url\":\"" + b + "\",\"weight\":1}]", 3000, false, ""), version).status()).isEqualTo(200);
        long release = op.publish("move trade.get to B").json("number").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() >= release);
        JsonNode r = get(params("taobao.trade.get", SignMethod.MD5));
        assertThat(r.get("trade_get_response").get("served_by").asString()).as(r.toString()).isEqualTo("B");
        assertThat(upstreamBCalls.get()).isPositive();
    }

    @Test
    void aPublishedFlowRuleLimitsTheAppLiveAndBadRulesAreRefusedWithTheirField() throws Exception {
        RestApi op = withRole("OPERATOR");
        String a = "http://127.0.0.1:" + upstreamA.getAddress().getPort() + "/a";
        op.post("/api/v1/apis", api("topaz.demo.limited", "basic", "[{\"url\":\"" + a + "\",\"weight\":1}]", 3000,
                false, ""));
        RestApi.Response bad = op.post("/api/v1/overload-rules", "{\"id\":\"default\",\"maxInFlight\":0,"
                + "\"maxLatencyMillis\":200}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.raw()).contains("maxInFlight");
        assertThat(op.post("/api/v1/api-groups", "{\"name\":\"basic\",\"tier\":\"URGENT\"}").status()).isEqualTo(400);
        assertThat(op.post("/api/v1/flow-rules", "{\"id\":\"gw-app-limited\",\"scope\":\"APP_API\","
                + "\"method\":\"topaz.demo.limited\",\"appKey\":\"gw-app\",\"qps\":1}").status()).isEqualTo(201);
        long release = op.publish("limit gw-app on topaz.demo.limited")
                .json("number").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() >= release);
        int limited = 0;
        for (int i = 0; i < 5; i++) {
            JsonNode r = get(params("topaz.demo.limited", SignMethod.MD5));
            if (r.has("error_response")) {
                assertError(r, 7, "accesscontrol.limited-by-app-call-limited");
                assertThat(r.get("error_response").get("sub_msg").asString())
                        .contains("app gw-app may call topaz.demo.limited 1 times per second; retry after 1 s");
                limited++;
            }
        }
        assertThat(limited).isPositive();
        assertThat(get(params("taobao.time.get", SignMethod.MD5)).has("time_get_response")).isTrue();
    }

    @Test
    void aDailyQuotaCountIsKeptAcrossAnAgentRestart() throws Exception {
        RestApi admin = admin();
        RestApi op = withRole("OPERATOR");
        String quotaSecret = admin.post("/api/v1/apps", "{\"appKey\":\"quota-app\",\"name\":\"Q\",\"owner\":\"isv\","
                + "\"allowedApiGroups\":[\"metered\"]}").json("secret").asString();
        String a = "http://127.0.0.1:" + upstreamA.getAddress().getPort() + "/a";
        op.post("/api/v1/apis", api("topaz.demo.metered", "metered", "[{\"url\":\"" + a + "\",\"weight\":1}]", 3000,
                false, ""));
        assertThat(op.post("/api/v1/quota-rules", "{\"id\":\"quota-app-metered\",\"appKey\":\"quota-app\","
                + "\"apiGroup\":\"metered\",\"dailyLimit\":3}").status()).isEqualTo(201);
        long release = op.publish("meter quota-app").json("number").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.appliedRelease() >= release);
        for (int i = 0; i < 2; i++) {
            JsonNode r = get(params("quota-app", quotaSecret, "topaz.demo.metered", SignMethod.MD5));
            assertThat(r.has("topaz_demo_metered_response")).as(r.toString()).isTrue();
        }

        agent.close();
        agent = TopazAgent.start(agentSettings, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.appliedRelease() >= release);

        JsonNode third = get(params("quota-app", quotaSecret, "topaz.demo.metered", SignMethod.MD5));
        assertThat(third.has("topaz_demo_metered_response")).as(third.toString()).isTrue();
        JsonNode fourth = get(params("quota-app", quotaSecret, "topaz.demo.metered", SignMethod.MD5));
        assertError(fourth, 7, "accesscontrol.limited-by-quota-exceeded");
        assertThat(fourth.get("error_response").get("sub_msg").asString())
                .contains("app quota-app may call the API group metered 3 times a day")
                .contains("resets at 00:00");
    }
}
